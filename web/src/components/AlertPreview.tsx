import { LANGUAGES } from "@hub/contracts";
import { useEffect, useId, useState } from "react";
import type { AlertForm } from "../alerts/form";
import { phoneCard } from "../alerts/phone";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { LANGUAGE_NAMES, translate } from "../i18n/i18n";
import type { Loadable } from "./hooks";
import { useLive } from "./LiveContext";

interface AlertPreviewProps {
  form: AlertForm;
  /** The saved message, whose CAP XML the service renders (null: not saved yet). */
  messageId: string | null;
  revision: number | null;
  /** The form has changes the saved CAP XML does not have yet. */
  dirty: boolean;
}

/** What will go out: the CAP XML of the saved message, and what a phone shows in each language (from the form). */
export function AlertPreview({ form, messageId, revision, dirty }: AlertPreviewProps) {
  const { t } = useI18n();
  const { api } = useLive();
  const id = useId();
  const [cap, setCap] = useState<Loadable<string> | null>(null);
  const [again, setAgain] = useState(0);

  useEffect(() => {
    void revision;
    void again;
    if (!messageId) {
      setCap(null);
      return;
    }
    let cancelled = false;
    setCap((previous) => (previous?.state === "loaded" ? previous : { state: "loading" }));
    api.alerting
      .cap(messageId)
      .then((value) => !cancelled && setCap({ state: "loaded", value }))
      .catch((error: unknown) => !cancelled && setCap({ state: "failed", error }));
    return () => {
      cancelled = true;
    };
  }, [api, messageId, revision, again]);

  return (
    <section className="panel alert-preview" aria-labelledby={`${id}-heading`} data-testid="alert-preview">
      <h3 id={`${id}-heading`}>{t("alertPreview")}</h3>

      <h4>{t("alertPhonePreview")}</h4>
      <p className="hint">{t("alertPhonePreviewHint")}</p>
      <ul className="phone-cards">
        {LANGUAGES.map((language) => {
          const card = phoneCard(form, language);
          return (
            <li key={language}>
              <figure className="phone" data-testid="phone-card" data-lang={language} lang={language}>
                <figcaption className="phone-caption" lang={undefined}>
                  {LANGUAGE_NAMES[language]}
                </figcaption>
                <div className="phone-screen">
                  <div className={`phone-notification cap-severity-edge-${form.severity}`}>
                    <p className="phone-app">
                      <span aria-hidden="true">⚠</span> {translate(language, "alertPhoneApp")} ·{" "}
                      {translate(language, `capSeverity_${form.severity}`)}
                    </p>
                    <p className="phone-title">{card.title || "…"}</p>
                    <p className="phone-body">{card.body || "…"}</p>
                    {card.truncated && <p className="phone-more">{translate(language, "alertPhoneMore")}</p>}
                  </div>
                </div>
              </figure>
            </li>
          );
        })}
      </ul>

      <h4>{t("alertCapXml")}</h4>
      {!messageId ? (
        <p className="muted">{t("alertCapAfterSave")}</p>
      ) : (
        <>
          {dirty && <p className="notice">{t("alertCapStale")}</p>}
          <div className="actions">
            <button type="button" className="button" data-testid="cap-refresh" onClick={() => setAgain((n) => n + 1)}>
              {t("alertCapRefresh")}
            </button>
          </div>
          {cap?.state === "failed" && (
            <p className="error" role="alert">
              {t("loadFailed", { detail: describeError(cap.error).detail })}
            </p>
          )}
          {cap?.state === "loading" && <p aria-busy="true">{t("loading")}</p>}
          {cap?.state === "loaded" && (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
            <pre className="cap-xml" data-testid="cap-xml" tabIndex={0}>
              {cap.value}
            </pre>
          )}
        </>
      )}
    </section>
  );
}
