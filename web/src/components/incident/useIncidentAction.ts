import type { IncidentView } from "@hub/contracts";
import { useState } from "react";
import { describeError } from "../../api";
import { useI18n } from "../../i18n/I18nProvider";
import { useLive } from "../LiveContext";

/**
 * One workflow action at a time for a part of the incident panel: sends it, puts the changed incident into the
 * live store (so the panel reloads), announces the outcome to screen readers, and keeps the error to show.
 */
export function useIncidentAction() {
  const { t } = useI18n();
  const { store, announce } = useLive();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (
    key: string,
    work: () => Promise<{ incident: IncidentView }>,
    message: (changed: IncidentView) => string,
  ): Promise<boolean> => {
    setBusy(key);
    setError(null);
    try {
      const { incident } = await work();
      store.apply([{ kind: "incident", incident }]);
      announce(message(incident));
      return true;
    } catch (caught) {
      const { title, detail } = describeError(caught);
      setError(t("actionFailed", { title, detail }));
      return false;
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, run };
}
