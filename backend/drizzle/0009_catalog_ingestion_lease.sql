ALTER TABLE "catalog_ingestions" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "catalog_ingestions" ADD COLUMN "lease_expires_at" timestamp with time zone;