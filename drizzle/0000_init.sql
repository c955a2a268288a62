CREATE TABLE `counters` (
	`name` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `dead_letters` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`msg_id` integer NOT NULL,
	`mail_id` text NOT NULL,
	`priority` integer NOT NULL,
	`subject` text NOT NULL,
	`reply` text,
	`headers` blob,
	`payload` blob NOT NULL,
	`time` integer NOT NULL,
	`dead_at` integer NOT NULL,
	`reason` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `dead_letters_dead_at` ON `dead_letters` (`dead_at`);--> statement-breakpoint
CREATE INDEX `dead_letters_mail` ON `dead_letters` (`mail_id`);--> statement-breakpoint
CREATE TABLE `mailboxes` (
	`mail_id` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`ttl` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`msg_id` integer PRIMARY KEY NOT NULL,
	`mail_id` text NOT NULL,
	`priority` integer NOT NULL,
	`subject` text NOT NULL,
	`reply` text,
	`headers` blob,
	`payload` blob NOT NULL,
	`time` integer NOT NULL,
	`expires_at` integer,
	`unread` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `messages_order` ON `messages` (`mail_id`,`priority`,`msg_id`);--> statement-breakpoint
CREATE INDEX `messages_unread` ON `messages` (`mail_id`,`priority`,`msg_id`) WHERE "messages"."unread" = 1;--> statement-breakpoint
CREATE INDEX `messages_expiry` ON `messages` (`expires_at`) WHERE "messages"."expires_at" is not null;--> statement-breakpoint
CREATE TABLE `reaping` (
	`mail_id` text PRIMARY KEY NOT NULL,
	`dead_letter` integer NOT NULL,
	`at` integer NOT NULL
);
