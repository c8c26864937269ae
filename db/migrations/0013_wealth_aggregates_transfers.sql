-- overview_monthly now also keeps transfer rows (dims 't:…'), so a view that keeps transfers reads
-- the aggregates too. Aggregates built before hold none: forget them; the next view rebuilds them.
DELETE FROM "overview_monthly";--> statement-breakpoint
DELETE FROM "net_worth_days";--> statement-breakpoint
DELETE FROM "aggregate_dirty";--> statement-breakpoint
DELETE FROM "aggregate_state";
