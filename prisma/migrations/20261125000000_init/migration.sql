-- CreateEnum
CREATE TYPE "review_state" AS ENUM ('draft', 'in_review', 'approved', 'rejected');

-- CreateTable
CREATE TABLE "scenarios" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(63) NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "labels" JSONB NOT NULL DEFAULT '{}',
    "latest_revision" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "scenarios_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "revisions" (
    "id" SERIAL NOT NULL,
    "scenario_id" INTEGER NOT NULL,
    "number" INTEGER NOT NULL,
    "manifests" TEXT NOT NULL,
    "objects" JSONB NOT NULL,
    "mesh" JSONB NOT NULL DEFAULT '{}',
    "options" JSONB NOT NULL DEFAULT '{}',
    "content_hash" CHAR(64) NOT NULL,
    "message" TEXT NOT NULL DEFAULT '',
    "author" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "revisions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "reviews" (
    "id" SERIAL NOT NULL,
    "revision_id" INTEGER NOT NULL,
    "state" "review_state" NOT NULL,
    "reviewer" TEXT NOT NULL DEFAULT '',
    "comment" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reviews_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "scenarios_name_key" ON "scenarios"("name");

-- CreateIndex
CREATE UNIQUE INDEX "revisions_scenario_id_number_key" ON "revisions"("scenario_id", "number");

-- CreateIndex
CREATE INDEX "reviews_revision_id_id_idx" ON "reviews"("revision_id", "id");

-- AddForeignKey
ALTER TABLE "revisions" ADD CONSTRAINT "revisions_scenario_id_fkey" FOREIGN KEY ("scenario_id") REFERENCES "scenarios"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_revision_id_fkey" FOREIGN KEY ("revision_id") REFERENCES "revisions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

