import type { MessageView, PartnerImportView, PartnerSource } from "@hub/contracts";
import { useEffect, useState } from "react";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { useLive } from "./LiveContext";

/** The partner lists are fetched again this often while the view is shown (as the alerts list is). */
const PARTNER_REFRESH_MS = 5000;

/** The partner's language tag when it is a well-formed one (an attribute axe checks), else none. */
const languageTag = (tag: string): string | undefined =>
  /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag) ? tag : undefined;

/** "From partner: <name>", for a draft made from a partner agency's warning. */
export function PartnerBadge({ source }: { source: Pick<PartnerSource, "partnerName"> }) {
  const { t, language } = useI18n();
  return (
    <span className="badge partner-badge" data-testid="partner-badge">
      {t("partnerBadge", { name: source.partnerName[language] })}
    </span>
  );
}

/** Where a partner draft came from: the partner's identifier, sent time, document link and own text. */
export function PartnerSourceFacts({ source, withText }: { source: PartnerSource; withText?: boolean }) {
  const { t, format } = useI18n();
  return (
    <div className="partner-source" data-testid="partner-source">
      <p>
        <PartnerBadge source={source} />
      </p>
      <p className="muted">
        <span data-testid="partner-identifier">{t("partnerIdentifier", { identifier: source.identifier })}</span>
        {" · "}
        <span>{t("partnerSentAt", { time: format.dateTime(source.sent) })}</span>
        {source.earlierIdentifier && <> · {t("partnerUpdates", { identifier: source.earlierIdentifier })}</>}
      </p>
      <p>
        <a href={source.link} target="_blank" rel="noopener noreferrer" data-testid="partner-link">
          {t("partnerSourceLink")}
        </a>
      </p>
      {withText &&
        source.texts.map((text) => (
          <blockquote
            key={`${text.language}:${text.headline}`}
            className="partner-text"
            lang={languageTag(text.language)}
          >
            <p className="muted">{t("partnerSourceText", { language: text.language })}</p>
            {text.headline && <p>{text.headline}</p>}
            {text.description && <p>{text.description}</p>}
            {text.instruction && <p>{text.instruction}</p>}
          </blockquote>
        ))}
      {withText && <p className="hint">{t("partnerTakeOver")}</p>}
    </div>
  );
}

/**
 * The partner agencies' warnings for drafters and approvers: drafts made from them (to open and check against the
 * source), and the imports refused (unsigned, badly signed, malformed, not CAP 1.2…) with their reasons.
 */
export function PartnerWarnings({
  active,
  onOpen,
  refresh,
}: {
  active: boolean;
  onOpen(messageId: string): void;
  refresh: number;
}) {
  const { t, language, format } = useI18n();
  const { api } = useLive();
  const [drafts, setDrafts] = useState<MessageView[] | null>(null);
  const [refused, setRefused] = useState<PartnerImportView[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!active) return;
    void refresh;
    let cancelled = false;
    const load = () =>
      Promise.all([api.alerting.messages({ status: "draft" }), api.alerting.partnerImports()])
        .then(([draftList, imports]) => {
          if (cancelled) return;
          setDrafts(draftList.filter((message) => message.partner));
          setRefused(imports);
          setError(null);
        })
        .catch((failure: unknown) => {
          if (!cancelled) setError(t("loadFailed", { detail: describeError(failure).detail }));
        });
    void load();
    const timer = setInterval(() => void load(), PARTNER_REFRESH_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [api, active, refresh, t]);

  return (
    <section className="panel partner-warnings" aria-labelledby="partner-warnings-heading">
      <h3 id="partner-warnings-heading">{t("partnerHeading")}</h3>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <h4 id="partner-drafts-heading">
        {t("partnerDrafts")} {drafts && <span className="count">({drafts.length})</span>}
      </h4>
      {drafts === null ? (
        !error && <p aria-busy="true">{t("loading")}</p>
      ) : drafts.length === 0 ? (
        <p className="muted">{t("partnerDraftsEmpty")}</p>
      ) : (
        <ul className="alert-rows" data-testid="partner-drafts" aria-labelledby="partner-drafts-heading">
          {drafts.map((message) => (
            <li key={message.id} className="alert-row" data-testid="partner-draft" data-message-id={message.id}>
              <p className="alert-row-head">
                <strong>{message.content.event[language]}</strong>
              </p>
              {message.partner && <PartnerSourceFacts source={message.partner} />}
              <button
                type="button"
                className="button"
                data-testid="partner-draft-open"
                onClick={() => onOpen(message.id)}
              >
                {t("partnerOpen")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <h4 id="partner-refused-heading">
        {t("partnerRefused")} {refused && <span className="count">({refused.length})</span>}
      </h4>
      {refused === null ? (
        !error && <p aria-busy="true">{t("loading")}</p>
      ) : refused.length === 0 ? (
        <p className="muted">{t("partnerRefusedEmpty")}</p>
      ) : (
        <ul className="alert-rows" data-testid="partner-refused" aria-labelledby="partner-refused-heading">
          {refused.map((row) => (
            <li key={row.id} className="alert-row" data-testid="partner-refused-item" data-import-id={row.id}>
              <p className="alert-row-head">
                <span className={`badge partner-import-${row.status}`}>{t(`partnerImportStatus_${row.status}`)}</span>{" "}
                <strong>{row.partnerName[language]}</strong>
              </p>
              <p data-testid="partner-refused-reason">{t("partnerReason", { reason: row.reason ?? "" })}</p>
              <p className="muted">
                {row.identifier && <>{t("partnerIdentifier", { identifier: row.identifier })} · </>}
                {t("partnerReceived", { time: format.dateTime(row.receivedAt) })}
              </p>
              {row.link && (
                <p className="muted hash">
                  <a href={row.link} target="_blank" rel="noopener noreferrer">
                    {row.link}
                  </a>
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
