CREATE TABLE "aggregate_dirty" (
	"user_id" uuid NOT NULL,
	"month" date NOT NULL,
	CONSTRAINT "aggregate_dirty_user_id_month_pk" PRIMARY KEY("user_id","month")
);
--> statement-breakpoint
CREATE TABLE "aggregate_state" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"base" char(3),
	"nw_through" date,
	"nw_dirty_from" date
);
--> statement-breakpoint
CREATE TABLE "net_worth_days" (
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"total" numeric(19, 4) NOT NULL,
	"unconverted" integer NOT NULL,
	CONSTRAINT "net_worth_days_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
CREATE TABLE "overview_monthly" (
	"user_id" uuid NOT NULL,
	"month" date NOT NULL,
	"dim" text NOT NULL,
	"key" text NOT NULL,
	"amount" numeric(19, 4) NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "overview_monthly_user_id_dim_month_key_pk" PRIMARY KEY("user_id","dim","month","key")
);
--> statement-breakpoint
ALTER TABLE "aggregate_dirty" ADD CONSTRAINT "aggregate_dirty_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "aggregate_state" ADD CONSTRAINT "aggregate_state_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "net_worth_days" ADD CONSTRAINT "net_worth_days_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "overview_monthly" ADD CONSTRAINT "overview_monthly_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;