CREATE TABLE "csv_mapping_profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"header_signature" text NOT NULL,
	"mapping" jsonb NOT NULL,
	"date_order" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "csv_mapping_profiles" ADD CONSTRAINT "csv_mapping_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "csv_mapping_profiles" ADD CONSTRAINT "csv_mapping_profiles_account_id_financial_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."financial_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "csv_mapping_profiles_account_sig_uq" ON "csv_mapping_profiles" USING btree ("account_id","header_signature");--> statement-breakpoint
CREATE INDEX "csv_mapping_profiles_user_sig_idx" ON "csv_mapping_profiles" USING btree ("user_id","header_signature");