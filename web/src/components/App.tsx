import type { ClientConfig } from "@hub/contracts";
import { useCallback, useEffect, useState } from "react";
import { createApi, describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { clearSession, loadSession, type Session, saveSession } from "../session";
import { Dashboard, type SignOutReason } from "./Dashboard";
import type { Loadable } from "./hooks";
import { SignIn } from "./SignIn";

const sessionStore = (): Storage | undefined => {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined;
  }
};

/** Loads the public config, then shows sign-in or the dashboard. A 401 anywhere brings sign-in back. */
export function App() {
  const { t } = useI18n();
  const [config, setConfig] = useState<Loadable<ClientConfig>>({ state: "loading" });
  const [session, setSession] = useState<Session | null>(() => loadSession(sessionStore()));
  const [sessionEnded, setSessionEnded] = useState<Exclude<SignOutReason, "user"> | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    void attempt; // a retry loads again
    let cancelled = false;
    setConfig({ state: "loading" });
    createApi()
      .config()
      .then((value) => {
        if (!cancelled) setConfig({ state: "loaded", value });
      })
      .catch((error: unknown) => {
        if (!cancelled) setConfig({ state: "failed", error });
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const signedIn = useCallback((next: Session) => {
    saveSession(sessionStore(), next);
    setSessionEnded(null);
    setSession(next);
  }, []);

  const signOut = useCallback((reason: SignOutReason) => {
    clearSession(sessionStore());
    setSessionEnded(reason === "user" ? null : reason);
    setSession(null);
  }, []);

  if (config.state === "loading")
    return (
      <main className="centered" aria-busy="true">
        <p>{t("loading")}</p>
      </main>
    );
  if (config.state === "failed")
    return (
      <main className="centered">
        <p role="alert">{t("configFailed", { detail: describeError(config.error).detail })}</p>
        <button type="button" className="button" onClick={() => setAttempt((n) => n + 1)}>
          {t("retry")}
        </button>
      </main>
    );
  if (!session) return <SignIn config={config.value} sessionEnded={sessionEnded} onSignedIn={signedIn} />;
  return <Dashboard config={config.value} session={session} storage={sessionStore()} onSignOut={signOut} />;
}
