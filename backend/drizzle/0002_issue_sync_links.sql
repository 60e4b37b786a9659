CREATE TABLE "issue_sync_links" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"team_id" text NOT NULL,
	"connection_id" text NOT NULL,
	"cloud_id" text NOT NULL,
	"issue_id" text NOT NULL,
	"issue_key" text NOT NULL,
	"ticket_id" text NOT NULL,
	"ticket_title" text NOT NULL,
	"state" text NOT NULL,
	"last_synced_at" timestamp with time zone,
	"last_error" text,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "issue_sync_links" ADD CONSTRAINT "issue_sync_links_team_id_teams_id_fk" FOREIGN KEY ("team_id") REFERENCES "public"."teams"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "issue_sync_links" ADD CONSTRAINT "issue_sync_links_connection_id_jira_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."jira_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "issue_sync_links_connection_issue_idx" ON "issue_sync_links" USING btree ("connection_id","issue_id");--> statement-breakpoint
CREATE UNIQUE INDEX "issue_sync_links_connection_ticket_idx" ON "issue_sync_links" USING btree ("connection_id","ticket_id");--> statement-breakpoint
CREATE INDEX "issue_sync_links_site_issue_idx" ON "issue_sync_links" USING btree ("cloud_id","issue_id");