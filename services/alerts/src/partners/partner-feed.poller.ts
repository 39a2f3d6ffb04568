import type { Logger } from "@hub/common";
import type { PartnerFeedConfig } from "../partner-feeds.config.js";
import { type PartnerFeedHttp, PartnerFeedUnavailable } from "../repositories/partner-feed.http.js";
import { PartnerRefusal, parseAtomFeed, readPartnerCap } from "./partner-cap.js";
import { type ImportOutcome, type PartnerImporter, sha256 } from "./partner-import.service.js";

export interface PartnerFeedObserver {
  poll(feedId: string, outcome: "ok" | "not-modified" | "failed"): void;
  imported(feedId: string, outcome: ImportOutcome, refusal?: PartnerRefusal["kind"]): void;
}

interface FeedState {
  etag: string | null;
  lastModified: string | null;
  /** Entries read to an outcome (link or id, and updated): not fetched again while the feed lists them unchanged. */
  done: Set<string>;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
}

/** Entries remembered per feed; past this the memory starts again (the database still makes repeats no-ops). */
const MAX_REMEMBERED = 5000;

/**
 * Polls every partner feed on its own interval: the Atom feed (conditionally), then each new entry's CAP document,
 * which the importer drafts from or records as refused. A feed that cannot be reached is logged, counted and polled
 * again next time; nothing it sent is lost, since entries are only remembered once they have an outcome.
 */
export class PartnerFeedPoller {
  private readonly state = new Map<string, FeedState>();
  private stopped = false;

  constructor(
    private readonly deps: {
      feeds: readonly PartnerFeedConfig[];
      http: PartnerFeedHttp;
      importer: PartnerImporter<unknown>;
      observer: PartnerFeedObserver;
      logger: Logger;
    },
  ) {}

  start(): void {
    for (const feed of this.deps.feeds) {
      const state: FeedState = { etag: null, lastModified: null, done: new Set() };
      this.state.set(feed.id, state);
      const tick = () => {
        if (this.stopped) return;
        state.running = this.poll(feed, state)
          .catch((err: unknown) => this.deps.logger.warn({ err, feed: feed.id }, "partner feed poll failed"))
          .finally(() => {
            if (!this.stopped) state.timer = setTimeout(tick, feed.pollIntervalMs);
          });
      };
      tick();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const state of this.state.values()) {
      clearTimeout(state.timer);
      await state.running;
    }
  }

  private async poll(feed: PartnerFeedConfig, state: FeedState): Promise<void> {
    const { http, observer, logger } = this.deps;
    let fetched: Awaited<ReturnType<PartnerFeedHttp["get"]>>;
    try {
      fetched = await http.get(feed.url, { etag: state.etag, lastModified: state.lastModified });
    } catch (err) {
      if (err instanceof PartnerRefusal) {
        await this.refused(feed, err, { digest: sha256(`${feed.url} ${err.message}`), link: feed.url }, "feed: ");
        observer.poll(feed.id, "ok");
        return;
      }
      observer.poll(feed.id, "failed");
      logger.warn(
        { feed: feed.id, err: err instanceof PartnerFeedUnavailable ? err.message : err },
        "partner feed unavailable",
      );
      return;
    }
    if (fetched.notModified) {
      observer.poll(feed.id, "not-modified");
      return;
    }
    observer.poll(feed.id, "ok");
    let entries: ReturnType<typeof parseAtomFeed>;
    try {
      entries = parseAtomFeed(fetched.body, feed.url);
    } catch (err) {
      if (!(err instanceof PartnerRefusal)) throw err;
      await this.refused(feed, err, { digest: sha256(fetched.body), link: feed.url });
      state.etag = fetched.etag;
      state.lastModified = fetched.lastModified;
      return;
    }
    let complete = true;
    if (state.done.size > MAX_REMEMBERED) state.done.clear();
    for (const entry of entries) {
      if (this.stopped) return;
      const key = `${entry.capUrl ?? entry.id} ${entry.updated}`;
      if (state.done.has(key)) continue;
      const link = entry.capUrl ?? feed.url;
      let text = entry.embedded;
      if (text === null && entry.capUrl) {
        try {
          const document = await http.get(entry.capUrl);
          text = document.notModified ? null : document.body;
        } catch (err) {
          if (err instanceof PartnerRefusal) {
            await this.refused(feed, err, { digest: sha256(`${entry.capUrl} ${err.message}`), link });
            state.done.add(key);
          } else {
            complete = false;
            logger.warn({ feed: feed.id, err: (err as Error).message }, "partner CAP document unavailable");
          }
          continue;
        }
      }
      if (text === null) continue;
      try {
        // A certificate outside its validity period proves nothing any more (an expired or not yet valid key).
        const now = Date.now();
        const valid = feed.trustedCerts.filter((c) => c.validFrom.getTime() <= now && now <= c.validTo.getTime());
        if (valid.length === 0)
          throw new PartnerRefusal("bad-signature", "signature: no trusted certificate of the partner is valid now");
        const cap = readPartnerCap(
          text,
          valid.map((cert) => cert.pem),
        );
        const outcome = await this.deps.importer.signal(feed, cap, link);
        observer.imported(feed.id, outcome);
        if (outcome === "drafted")
          logger.info({ feed: feed.id, identifier: cap.identifier, msgType: cap.msgType }, "partner signal drafted");
      } catch (err) {
        if (!(err instanceof PartnerRefusal)) {
          complete = false;
          logger.warn({ err, feed: feed.id, link }, "partner signal not recorded");
          continue;
        }
        await this.refused(feed, err, { digest: sha256(text), link });
      }
      state.done.add(key);
    }
    // A feed with an entry still to read is fetched in full next time, not answered 304.
    if (complete) {
      state.etag = fetched.etag;
      state.lastModified = fetched.lastModified;
    }
  }

  private async refused(
    feed: PartnerFeedConfig,
    refusal: PartnerRefusal,
    document: { digest: string; link: string },
    prefix = "",
  ): Promise<void> {
    const labelled = prefix ? new PartnerRefusal(refusal.kind, `${prefix}${refusal.message}`) : refusal;
    const outcome = await this.deps.importer.refuse(feed, labelled, document);
    this.deps.observer.imported(feed.id, outcome, refusal.kind);
    if (outcome === "refused")
      this.deps.logger.warn({ feed: feed.id, link: document.link, reason: labelled.message }, "partner import refused");
  }
}
