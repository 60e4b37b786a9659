ALTER TABLE "audit_log" DROP CONSTRAINT "audit_log_team_id_teams_id_fk";--> statement-breakpoint
CREATE FUNCTION "audit_log_forget_team"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "audit_log" SET "team_id" = NULL WHERE "team_id" = OLD."id";
  RETURN OLD;
END;
$$;--> statement-breakpoint
CREATE TRIGGER "audit_log_forget_team" AFTER DELETE ON "teams" FOR EACH ROW EXECUTE FUNCTION "audit_log_forget_team"();
