CREATE TABLE "simplefin_status" (
	"token_key" text PRIMARY KEY NOT NULL,
	"messages" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"account_warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"holdings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"forgotten" boolean DEFAULT false NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "simplefin_usage" (
	"token_key" text NOT NULL,
	"day" date NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "simplefin_usage_token_key_day_pk" PRIMARY KEY("token_key","day")
);
