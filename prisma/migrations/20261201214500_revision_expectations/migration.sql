-- A revision's expectations document (expected traces and router_check_tool route tests), NULL when none
ALTER TABLE "revisions" ADD COLUMN "expectations" JSONB;
