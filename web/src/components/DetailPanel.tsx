import { type ReactNode, useEffect, useRef } from "react";
import { useI18n } from "../i18n/I18nProvider";

interface DetailPanelProps {
  testId: string;
  headingId: string;
  heading: ReactNode;
  onClose(): void;
  children: ReactNode;
}

/**
 * A side panel: takes focus (its heading) when it opens, closes on Escape or its close button, and gives focus
 * back to what had it before.
 */
export function DetailPanel({ testId, headingId, heading, onClose, children }: DetailPanelProps) {
  const { t } = useI18n();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const closeRef = useRef(onClose);
  closeRef.current = onClose;

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    headingRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape" && !event.defaultPrevented) {
        event.preventDefault();
        closeRef.current();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  return (
    <aside className="panel detail-panel" data-testid={testId} aria-labelledby={headingId}>
      <div className="detail-head">
        <h2 id={headingId} ref={headingRef} tabIndex={-1}>
          {heading}
        </h2>
        <button type="button" className="button close-button" onClick={onClose} aria-label={t("close")}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      {children}
    </aside>
  );
}
