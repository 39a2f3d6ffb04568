import type { ClientConfig } from "@hub/contracts";
import { type FormEvent, useId, useState } from "react";
import { createApi, describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import type { Session } from "../session";
import { LanguageSelect } from "./LanguageSelect";

interface SignInProps {
  config: ClientConfig;
  /** Why the last session ended, when it was not the user signing out. */
  sessionEnded: "expired" | "revoked" | null;
  onSignedIn(session: Session): void;
}

export function SignIn({ config, sessionEnded, onSignedIn }: SignInProps) {
  const { t } = useI18n();
  const usernameId = useId();
  const passwordId = useId();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    createApi()
      .login({ username, password })
      .then(onSignedIn)
      .catch((failure: unknown) => {
        setError(t("signInFailed", { detail: describeError(failure).detail || describeError(failure).title }));
        setBusy(false);
      });
  };

  return (
    <div className="sign-in-page">
      <header className="sign-in-header">
        <h1>
          {t("appTitle")} <span className="subtitle">{t("appSubtitle")}</span>
        </h1>
        <LanguageSelect />
      </header>
      <main className="sign-in-main">
        <form className="card sign-in-form" data-testid="login-form" onSubmit={submit} aria-labelledby="sign-in-title">
          <h2 id="sign-in-title">{t("signInTitle")}</h2>
          {sessionEnded && (
            <p className="notice" role="status" data-testid="session-ended">
              {t(sessionEnded === "revoked" ? "sessionRevoked" : "sessionEnded")}
            </p>
          )}
          <div className="field">
            <label htmlFor={usernameId}>{t("username")}</label>
            <input
              id={usernameId}
              data-testid="login-username"
              name="username"
              autoComplete="username"
              required
              value={username}
              onChange={(event) => setUsername(event.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={passwordId}>{t("password")}</label>
            <input
              id={passwordId}
              data-testid="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button primary" data-testid="login-submit" disabled={busy}>
            {busy ? t("signingIn") : t("signIn")}
          </button>
        </form>
        {config.developmentUsers.length > 0 && (
          <section className="card dev-users" aria-labelledby="dev-users-title">
            <h2 id="dev-users-title">{t("developmentUsers")}</h2>
            <p>{t("developmentUsersHint")}</p>
            <ul>
              {config.developmentUsers.map((user) => (
                <li key={user.username}>
                  <button
                    type="button"
                    className="button"
                    onClick={() => {
                      setUsername(user.username);
                      setPassword(user.password);
                    }}
                  >
                    {t("useDevelopmentUser", {
                      username: user.username,
                      roles: user.roles.map((role) => t(`role_${role}`)).join(", "),
                    })}
                  </button>
                </li>
              ))}
            </ul>
          </section>
        )}
      </main>
    </div>
  );
}
