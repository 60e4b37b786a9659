CREATE TABLE "forge_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"cloud_id" text NOT NULL,
	"installation_id" text NOT NULL,
	"event_type" text NOT NULL,
	"issue_id" text NOT NULL,
	"issue_key" text,
	"comment_id" text,
	"payload" jsonb NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	"processed_at" timestamp with time zone,
	CONSTRAINT "forge_events_dedupe_key_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "forge_installations" (
	"cloud_id" text PRIMARY KEY NOT NULL,
	"installation_id" text NOT NULL,
	"api_base_url" text NOT NULL,
	"environment_id" text,
	"system_token_encrypted" text,
	"system_token_expires_at" timestamp with time zone,
	"installed_at" timestamp with time zone NOT NULL,
	"last_push_at" timestamp with time zone,
	"uninstalled_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "forge_events_issue_idx" ON "forge_events" USING btree ("cloud_id","issue_id","received_at");