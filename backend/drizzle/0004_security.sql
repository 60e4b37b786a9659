CREATE TABLE "auth_failures" (
	"client_address" text PRIMARY KEY NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"failures" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "forge_token_uses" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "site_workspace_approvals" (
	"cloud_id" text NOT NULL,
	"workspace_id" text NOT NULL,
	"status" text NOT NULL,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"requested_at" timestamp with time zone NOT NULL,
	CONSTRAINT "site_workspace_approvals_cloud_id_workspace_id_pk" PRIMARY KEY("cloud_id","workspace_id")
);
--> statement-breakpoint
CREATE TABLE "workspaces" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- Sessions from before carry no key: they end, and people sign in again.
DELETE FROM "console_sessions";--> statement-breakpoint
ALTER TABLE "console_sessions" ADD COLUMN "api_key_id" text NOT NULL;--> statement-breakpoint
ALTER TABLE "oauth_states" ADD COLUMN "browser_binding_hash" text;--> statement-breakpoint
-- Each existing team becomes its own workspace (its own customer), and no connection keeps the Forge app's
-- service account until a Jira admin of the site approves its workspace (or an admin connects it again).
INSERT INTO "workspaces" ("id", "name", "created_at") SELECT "id", "name", "created_at" FROM "teams";--> statement-breakpoint
ALTER TABLE "teams" ADD COLUMN "workspace_id" text;--> statement-breakpoint
UPDATE "teams" SET "workspace_id" = "id";--> statement-breakpoint
ALTER TABLE "teams" ALTER COLUMN "workspace_id" SET NOT NULL;--> statement-breakpoint
UPDATE "jira_connections" SET "forge_upgraded_at" = NULL;--> statement-breakpoint
ALTER TABLE "site_workspace_approvals" ADD CONSTRAINT "site_workspace_approvals_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "console_sessions" ADD CONSTRAINT "console_sessions_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "teams" ADD CONSTRAINT "teams_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "oauth_states_created_idx" ON "oauth_states" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "teams_workspace_idx" ON "teams" USING btree ("workspace_id");