CREATE TABLE "fx_daily" (
	"currency" char(3) NOT NULL,
	"day" date NOT NULL,
	"per_eur" numeric(20, 6) NOT NULL,
	"rate_date" date NOT NULL,
	CONSTRAINT "fx_daily_currency_day_pk" PRIMARY KEY("currency","day")
);
--> statement-breakpoint
CREATE TABLE "fx_rates" (
	"currency" char(3) NOT NULL,
	"date" date NOT NULL,
	"per_eur" numeric(20, 6) NOT NULL,
	"source" text DEFAULT 'ECB' NOT NULL,
	CONSTRAINT "fx_rates_currency_date_pk" PRIMARY KEY("currency","date")
);
--> statement-breakpoint
CREATE TABLE "manual_accounts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"currency" char(3) NOT NULL,
	"institution" text,
	"note" text,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "manual_transactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"date" date NOT NULL,
	"amount" numeric(19, 4) NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "manual_valuations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"date" date NOT NULL,
	"value" numeric(19, 4) NOT NULL,
	"quantity" numeric(28, 10),
	"unit_price" numeric(28, 10),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "manual_accounts" ADD CONSTRAINT "manual_accounts_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manual_transactions" ADD CONSTRAINT "manual_transactions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manual_transactions" ADD CONSTRAINT "manual_transactions_account_id_manual_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."manual_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manual_valuations" ADD CONSTRAINT "manual_valuations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "manual_valuations" ADD CONSTRAINT "manual_valuations_account_id_manual_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."manual_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "manual_accounts_user_idx" ON "manual_accounts" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "manual_transactions_account_date_idx" ON "manual_transactions" USING btree ("account_id","date");--> statement-breakpoint
CREATE INDEX "manual_transactions_user_idx" ON "manual_transactions" USING btree ("user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "manual_valuations_account_date_uq" ON "manual_valuations" USING btree ("account_id","date");--> statement-breakpoint
CREATE INDEX "manual_valuations_user_idx" ON "manual_valuations" USING btree ("user_id");