import { LANGUAGES, type Language, type PublicAlertView } from "@hub/contracts";
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from "react";
import type { ConnectionState, PublicConnection } from "./connection";
import { type Params, type PublicMessageKey, translate, translateOr } from "./messages";
import {
  LANGUAGE_KEY,
  LANGUAGE_NAMES,
  LOCALES,
  loadLanguage,
  loadTheme,
  save,
  THEME_KEY,
  type Theme,
  TIME_ZONE,
} from "./preferences";
import type { PublicAlertStore } from "./store";

const storage = (): Storage | undefined => {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
};

const DARK_QUERY = "(prefers-color-scheme: dark)";

function useSystemDark(): boolean {
  const [dark, setDark] = useState(() => globalThis.matchMedia?.(DARK_QUERY).matches ?? false);
  useEffect(() => {
    const query = globalThis.matchMedia?.(DARK_QUERY);
    if (!query) return;
    const onChange = () => setDark(query.matches);
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, []);
  return dark;
}

interface Texts {
  language: Language;
  t(key: PublicMessageKey, params?: Params): string;
  tOr(key: string, fallback: string): string;
  dateTime(iso: string): string;
}

function useTexts(language: Language): Texts {
  return useMemo(() => {
    const format = new Intl.DateTimeFormat(LOCALES[language], {
      timeZone: TIME_ZONE,
      dateStyle: "medium",
      timeStyle: "short",
      hourCycle: "h23",
    });
    return {
      language,
      t: (key, params) => translate(language, key, params),
      tOr: (key, fallback) => translateOr(language, key, fallback),
      dateTime: (iso) => {
        const ms = Date.parse(iso);
        return Number.isNaN(ms) ? iso : format.format(ms);
      },
    };
  }, [language]);
}

/** The public page: warnings in force, live, in three languages, readable by anyone on any screen. */
export function PublicAlerts({ store, connection }: { store: PublicAlertStore; connection: PublicConnection }) {
  const [language, setLanguageState] = useState<Language>(() =>
    loadLanguage(storage(), globalThis.navigator?.languages ?? [globalThis.navigator?.language ?? ""]),
  );
  const [theme, setTheme] = useState<Theme | null>(() => loadTheme(storage()));
  const systemDark = useSystemDark();
  const dark = theme ? theme === "dark" : systemDark;
  const texts = useTexts(language);
  const { t } = texts;

  useSyncExternalStore(store.subscribe, store.getRevision);
  const alerts = store.alerts();
  const [state, setState] = useState<ConnectionState>(connection.state);
  useEffect(() => {
    setState(connection.state);
    return connection.onState(setState);
  }, [connection]);

  useEffect(() => {
    document.documentElement.lang = language;
    document.title = translate(language, "pageTitle");
  }, [language]);
  useEffect(() => {
    // An explicit choice wins over the system's; without one the stylesheet follows prefers-color-scheme.
    if (theme) document.documentElement.dataset.theme = theme;
    else delete document.documentElement.dataset.theme;
  }, [theme]);

  const setLanguage = useCallback((next: Language) => {
    save(storage(), LANGUAGE_KEY, next);
    setLanguageState(next);
  }, []);
  const toggleDark = () => {
    const next: Theme = dark ? "light" : "dark";
    save(storage(), THEME_KEY, next);
    setTheme(next);
  };

  const announcement = useAnnouncements(store, texts);

  return (
    <>
      <a className="skip-link" href="#warnings">
        {t("skipToWarnings")}
      </a>
      <header className="page-header">
        <div className="page-title">
          <h1>{t("heading")}</h1>
          <p className="subheading">{t("subheading")}</p>
        </div>
        <div className="preferences">
          {/* biome-ignore lint/a11y/useSemanticElements: a group of toggle buttons, not a form fieldset */}
          <div className="language-buttons" role="group" aria-label={t("language")} data-testid="language-buttons">
            {LANGUAGES.map((code) => (
              <button
                key={code}
                type="button"
                lang={code}
                className="pill"
                aria-pressed={code === language}
                data-testid={`lang-${code}`}
                onClick={() => setLanguage(code)}
              >
                {LANGUAGE_NAMES[code]}
              </button>
            ))}
          </div>
          <button
            type="button"
            className="pill theme-toggle"
            aria-pressed={dark}
            data-testid="theme-toggle"
            onClick={toggleDark}
          >
            <span aria-hidden="true">{dark ? "☾" : "☀"}</span> {t("darkMode")}
          </button>
        </div>
      </header>

      <main id="warnings" tabIndex={-1} aria-labelledby="warnings-heading">
        <p className={`connection connection-${state}`} role="status" data-testid="connection-state" data-state={state}>
          <span className="connection-mark" aria-hidden="true">
            {state === "live" ? "●" : state === "offline" ? "✕" : "…"}
          </span>{" "}
          {t(`connection_${state}`)}
        </p>
        {!store.loaded ? (
          <>
            <h2 id="warnings-heading" className="visually-hidden">
              {t("heading")}
            </h2>
            <p aria-busy="true">{state === "offline" ? t("loadFailed") : t("loading")}</p>
          </>
        ) : alerts.length === 0 ? (
          <section className="empty-state" data-testid="empty-state">
            <h2 id="warnings-heading">{t("empty")}</h2>
            <p>{t("emptyDetail")}</p>
          </section>
        ) : (
          <>
            <h2 id="warnings-heading" className="count" data-testid="alert-count" data-count={alerts.length}>
              {alerts.length === 1 ? t("countOne") : t("count", { count: alerts.length })}
            </h2>
            <ol className="alert-list" data-testid="alert-list">
              {alerts.map((alert) => (
                <li key={alert.id}>
                  <AlertCard alert={alert} texts={texts} />
                </li>
              ))}
            </ol>
          </>
        )}
        <p className="time-note">{t("timeNote")}</p>
      </main>

      <footer className="page-footer">
        <p>{t("footer")}</p>
      </footer>

      {/* Polite: a new warning is read out without moving focus or interrupting. */}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
        <span key={announcement.n}>{announcement.text}</span>
      </div>
    </>
  );
}

function useAnnouncements(store: PublicAlertStore, texts: Texts): { text: string; n: number } {
  const revision = useSyncExternalStore(store.subscribe, store.getRevision);
  const [announcement, setAnnouncement] = useState({ text: "", n: 0 });
  useEffect(() => {
    void revision;
    const drained = store.drainAnnouncements();
    if (drained.length === 0) return;
    const { language, t } = texts;
    const said = drained.slice(0, 5).map(({ kind, alert }) => {
      const params = {
        event: alert.event[language],
        headline: alert.headline[language],
        severity: t(`severity_${alert.severity}`),
      };
      return t(kind === "new" ? "announceNew" : kind === "updated" ? "announceUpdated" : "announceEnded", params);
    });
    setAnnouncement((previous) => ({ text: said.join(" "), n: previous.n + 1 }));
  }, [revision, store, texts]);
  return announcement;
}

const SEVERITY_MARK: Record<PublicAlertView["severity"], string> = {
  Extreme: "▲▲▲",
  Severe: "▲▲",
  Moderate: "▲",
  Minor: "△",
  Unknown: "?",
};

function AlertCard({ alert, texts }: { alert: PublicAlertView; texts: Texts }) {
  const { language, t, tOr, dateTime } = texts;
  const headingId = `alert-${alert.id}-event`;
  const areas = alert.areas.map((area) => area.description[language]).filter((text) => text.trim() !== "");
  return (
    <article
      className={`alert-card severity-${alert.severity}`}
      data-testid="public-alert"
      data-alert-id={alert.id}
      data-version={alert.version}
      data-severity={alert.severity}
      aria-labelledby={headingId}
    >
      <header className="alert-card-head">
        <p className="severity-badge" data-testid="alert-severity">
          <span className="severity-mark" aria-hidden="true">
            {SEVERITY_MARK[alert.severity]}
          </span>{" "}
          <span className="visually-hidden">{t("severity")}: </span>
          {t(`severity_${alert.severity}`)}
          {alert.msgType === "Update" && <span className="updated-tag"> · {t("updated")}</span>}
        </p>
        <h3 id={headingId} className="alert-event" data-testid="alert-event">
          {alert.event[language]}
        </h3>
        <p className="alert-headline" data-testid="alert-headline">
          {alert.headline[language]}
        </p>
      </header>
      {alert.description[language].trim() !== "" && (
        <section className="alert-section">
          <h4>{t("description")}</h4>
          <p className="prose" data-testid="alert-description">
            {alert.description[language]}
          </p>
        </section>
      )}
      {alert.instruction[language].trim() !== "" && (
        <section className="alert-section instruction">
          <h4>{t("instruction")}</h4>
          <p className="prose" data-testid="alert-instruction">
            {alert.instruction[language]}
          </p>
        </section>
      )}
      {areas.length > 0 && (
        <section className="alert-section">
          <h4>{t("areas")}</h4>
          <ul className="areas" data-testid="alert-areas">
            {areas.map((text, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: area descriptions may repeat; their order is fixed
              <li key={index}>{text}</li>
            ))}
          </ul>
        </section>
      )}
      <dl className="alert-facts">
        <div>
          <dt>{t("sent")}</dt>
          <dd>
            <time dateTime={alert.sent} data-testid="alert-sent">
              {dateTime(alert.sent)}
            </time>
          </dd>
        </div>
        <div>
          <dt>{t("expires")}</dt>
          <dd>
            {alert.expires ? (
              <time dateTime={alert.expires} data-testid="alert-expires">
                {dateTime(alert.expires)}
              </time>
            ) : (
              t("noExpiry")
            )}
          </dd>
        </div>
        <div>
          <dt>{t("urgency")}</dt>
          <dd>{tOr(`urgency_${alert.urgency}`, alert.urgency)}</dd>
        </div>
        <div>
          <dt>{t("certainty")}</dt>
          <dd>{tOr(`certainty_${alert.certainty}`, alert.certainty)}</dd>
        </div>
        <div>
          <dt>{t("category")}</dt>
          <dd>{tOr(`category_${alert.category}`, alert.category)}</dd>
        </div>
      </dl>
      <p className="cap-link">
        <a
          href={alert.capUrl}
          data-testid="alert-cap-link"
          type="application/cap+xml"
          aria-label={t("capLinkLabel", { event: alert.event[language] })}
        >
          {t("capLink")}
        </a>
      </p>
    </article>
  );
}
