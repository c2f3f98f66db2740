-- The approval gate: what each approval approved, its verification summary and the Envoy diff
-- summary against the last approved revision, and whether it was forced over failed checks.
ALTER TABLE "reviews" ADD COLUMN "verification" JSONB;
ALTER TABLE "reviews" ADD COLUMN "envoy_diff" JSONB;
ALTER TABLE "reviews" ADD COLUMN "forced" BOOLEAN NOT NULL DEFAULT false;
