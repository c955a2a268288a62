/** The test publisher (/ops/publish): subject, priority, headers, payload, request mode. */
import { expect, type Locator, type Page } from "@playwright/test";
import { Shell } from "./shell";

export interface Publication {
  subject: string;
  payload: string;
  priority?: "urgent" | "normal" | "notify";
  /** One `Key: value` per line. */
  headers?: string;
  request?: boolean;
}

export class PublishPage {
  readonly shell: Shell;
  readonly subject: Locator;
  readonly priority: Locator;
  readonly headers: Locator;
  readonly payload: Locator;
  readonly requestMode: Locator;
  readonly submit: Locator;
  readonly result: Locator;
  readonly recent: Locator;

  constructor(readonly page: Page) {
    this.shell = new Shell(page);
    this.subject = page.getByTestId("publish-subject");
    this.priority = page.getByTestId("publish-priority");
    this.headers = page.getByTestId("publish-headers");
    this.payload = page.getByTestId("publish-payload");
    this.requestMode = page.getByTestId("publish-request");
    this.submit = page.getByTestId("publish-submit");
    this.result = page.getByTestId("publish-result");
    this.recent = page.getByTestId("recent-send");
  }

  async goto(): Promise<void> {
    await this.page.goto("/ops/publish");
    await expect(this.subject).toBeVisible();
  }

  async publish(p: Publication): Promise<void> {
    await this.subject.fill(p.subject);
    if (p.priority !== undefined) await this.priority.selectOption(p.priority);
    if (p.headers !== undefined) await this.headers.fill(p.headers);
    await this.payload.fill(p.payload);
    await this.requestMode.setChecked(p.request ?? false);
    await this.submit.click();
  }
}
