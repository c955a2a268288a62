CREATE TABLE `agents` (
	`mail_id` text PRIMARY KEY NOT NULL,
	`announcement` text NOT NULL,
	`ttl` integer NOT NULL,
	`first_seen` integer NOT NULL,
	`last_seen` integer NOT NULL,
	`gone_at` integer
);
--> statement-breakpoint
CREATE TABLE `answers` (
	`mail_id` text NOT NULL,
	`correlation_id` text NOT NULL,
	`msg_id` integer NOT NULL,
	`reply_to` text NOT NULL,
	`decision` text NOT NULL,
	`response` text NOT NULL,
	`responder` text NOT NULL,
	`responded_at` integer NOT NULL,
	PRIMARY KEY(`mail_id`, `correlation_id`)
);
