import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { INSECURE_DEVELOPMENT_PREFIX, isLoopbackUrl } from "@hub/common";
import { type LocalizedText, localizedTextSchema } from "@hub/contracts";
import { z } from "zod";
import { TEMPLATES } from "./templates/templates.js";

/** Which template a partner's signal starts from: by its CAP `<event>` (case-insensitive) or one `<eventCode>`. */
export interface PartnerTemplateRule {
  event?: string;
  eventCode?: { valueName: string; value: string };
  templateId: string;
}

/** One partner agency's feed, as ALERTS_PARTNER_FEEDS configures it (certificates read and checked). */
export interface PartnerFeedConfig {
  id: string;
  name: LocalizedText;
  /** The Atom feed. Linked CAP documents are read from this origin only. */
  url: string;
  /** The certificates whose keys may sign the partner's CAP documents (PEM text, one per file). */
  trustedCerts: { file: string; pem: string; subject: string; validFrom: Date; validTo: Date }[];
  pollIntervalMs: number;
  rules: PartnerTemplateRule[];
  /** The template when no rule and no template's own eventCode matches; none = the signal is refused. */
  defaultTemplateId: string | null;
}

const templateId = z
  .string()
  .refine((id) => TEMPLATES.some((template) => template.id === id), { message: "is not a template id" });

const feedSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "lower-case letters, digits and dashes, at most 64"),
  name: localizedTextSchema,
  url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }),
  trustedCertFiles: z.array(z.string().min(1)).min(1, "needs at least one certificate file"),
  pollIntervalMs: z.number().int().min(200).max(3_600_000).default(60_000),
  rules: z
    .array(
      z
        .strictObject({
          event: z.string().min(1).optional(),
          eventCode: z.strictObject({ valueName: z.string().min(1), value: z.string().min(1) }).optional(),
          templateId,
        })
        .refine((rule) => Boolean(rule.event) !== Boolean(rule.eventCode), {
          message: "set event or eventCode (one of them)",
        }),
    )
    .default([]),
  defaultTemplateId: templateId.nullable().default(null),
});

/** ALERTS_PARTNER_FEEDS (a JSON array) → the feeds; every problem is added to `context` with its path. */
export function parsePartnerFeeds(value: string | undefined, context: z.RefinementCtx): PartnerFeedConfig[] {
  if (value === undefined || value.trim() === "") return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch (err) {
    context.addIssue({ code: "custom", message: `is not JSON: ${(err as Error).message}` });
    return z.NEVER;
  }
  const parsed = z.array(feedSchema).safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      context.addIssue({ code: "custom", message: `[${issue.path.join(".")}] ${issue.message}` });
    }
    return z.NEVER;
  }
  const feeds: PartnerFeedConfig[] = [];
  const ids = new Set<string>();
  for (const [index, feed] of parsed.data.entries()) {
    if (ids.has(feed.id)) context.addIssue({ code: "custom", message: `[${index}.id] "${feed.id}" is used twice` });
    ids.add(feed.id);
    const trustedCerts: PartnerFeedConfig["trustedCerts"] = [];
    for (const [certIndex, file] of feed.trustedCertFiles.entries()) {
      try {
        const pem = readFileSync(file, "utf8");
        const cert = new X509Certificate(pem);
        trustedCerts.push({
          file,
          pem,
          subject: cert.subject,
          validFrom: new Date(cert.validFrom),
          validTo: new Date(cert.validTo),
        });
      } catch (err) {
        context.addIssue({
          code: "custom",
          message: `[${index}.trustedCertFiles.${certIndex}] ${file}: not a readable PEM certificate (${(err as Error).message})`,
        });
      }
    }
    feeds.push({
      id: feed.id,
      name: feed.name,
      url: feed.url,
      trustedCerts,
      pollIntervalMs: feed.pollIntervalMs,
      rules: feed.rules.map((rule) => ({
        templateId: rule.templateId,
        ...(rule.event ? { event: rule.event } : {}),
        ...(rule.eventCode ? { eventCode: rule.eventCode } : {}),
      })),
      defaultTemplateId: feed.defaultTemplateId,
    });
  }
  return feeds;
}

/**
 * Production trusts no development certificate (the stand-in feed's is made by `npm start` with the public
 * development prefix in its subject) and reads partner feeds over HTTPS only.
 */
export function checkPartnerFeedsForProduction(feeds: readonly PartnerFeedConfig[], context: z.RefinementCtx): void {
  for (const [index, feed] of feeds.entries()) {
    if (!feed.url.startsWith("https:") || isLoopbackUrl(feed.url)) {
      context.addIssue({
        code: "custom",
        path: ["ALERTS_PARTNER_FEEDS"],
        message: `[${index}.url] must be an https URL of another host in production mode`,
      });
    }
    for (const cert of feed.trustedCerts) {
      if (cert.subject.includes(INSECURE_DEVELOPMENT_PREFIX) || cert.file.includes(INSECURE_DEVELOPMENT_PREFIX)) {
        context.addIssue({
          code: "custom",
          path: ["ALERTS_PARTNER_FEEDS"],
          message: `[${index}] ${cert.file} is a development certificate (${INSECURE_DEVELOPMENT_PREFIX}), refused in production mode`,
        });
      }
    }
  }
}
