ALTER TABLE "jira_connections" ADD COLUMN "refresh_lease_holder" text;--> statement-breakpoint
ALTER TABLE "jira_connections" ADD COLUMN "refresh_lease_expires_at" timestamp with time zone;