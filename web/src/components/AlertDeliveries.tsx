import { type ChannelDeliverySummary, DELIVERY_STATES, type MessageView } from "@hub/contracts";
import { useEffect, useId, useState } from "react";
import { DELIVERY_POLL_MS, deliveryTotals, shouldPollDeliveries } from "../alerts/delivery";
import { describeError } from "../api";
import { useI18n } from "../i18n/I18nProvider";
import { useLive } from "./LiveContext";

/**
 * Delivery of a published message, per channel: counts by state, and the deliveries not (yet) sent with their
 * attempts and last error. Asked again every 2 s while anything is pending, sending or failed (to be retried).
 */
export function AlertDeliveries({ message }: { message: MessageView }) {
  const { t, format } = useI18n();
  const { api } = useLive();
  const id = useId();
  const [summaries, setSummaries] = useState<ChannelDeliverySummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  /** Answers received (either kind): each one schedules the next look while polling. */
  const [answers, setAnswers] = useState(0);

  useEffect(() => {
    void tick;
    let cancelled = false;
    api.alerting
      .deliveries(message.id)
      .then((value) => {
        if (cancelled) return;
        setSummaries(value);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (!cancelled) setError(t("loadFailed", { detail: describeError(failure).detail }));
      })
      .finally(() => {
        if (!cancelled) setAnswers((n) => n + 1);
      });
    return () => {
      cancelled = true;
    };
  }, [api, message.id, tick, t]);

  // Polls only while something will still change; a failed load is tried again as well.
  const polling = error !== null || shouldPollDeliveries(message, summaries, Date.now());
  useEffect(() => {
    void answers;
    if (!polling) return;
    const timer = setTimeout(() => setTick((n) => n + 1), DELIVERY_POLL_MS);
    return () => clearTimeout(timer);
  }, [polling, answers]);

  const totals = summaries ? deliveryTotals(summaries) : null;
  return (
    <section
      className="panel alert-deliveries"
      aria-labelledby={`${id}-heading`}
      data-testid="deliveries"
      data-polling={polling ? "true" : "false"}
    >
      <h3 id={`${id}-heading`}>{t("alertDeliveries")}</h3>
      <p className="hint" role="status">
        {polling ? t("alertDeliveriesPolling") : t("alertDeliveriesSettled")}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {summaries === null ? (
        !error && <p aria-busy="true">{t("loading")}</p>
      ) : summaries.length === 0 ? (
        <p className="muted">{t("alertDeliveriesNone")}</p>
      ) : (
        <table className="case-table deliveries-table">
          <caption className="visually-hidden">{t("alertDeliveries")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("alertChannel")}</th>
              {DELIVERY_STATES.map((state) => (
                <th scope="col" key={state}>
                  {t(`deliveryState_${state}`)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {summaries.map((summary) => (
              <tr
                key={summary.channel}
                data-testid="delivery-channel"
                data-channel={summary.channel}
                data-kind={summary.kind}
                {...Object.fromEntries(DELIVERY_STATES.map((state) => [`data-${state}`, summary.counts[state] ?? 0]))}
              >
                <th scope="row">
                  {summary.channel} <span className="muted">({t(`channelKind_${summary.kind}`)})</span>
                </th>
                {DELIVERY_STATES.map((state) => (
                  <td key={state} className={summary.counts[state] > 0 ? `delivery-${state}` : undefined}>
                    {format.number(summary.counts[state] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          {totals && summaries.length > 1 && (
            <tfoot>
              <tr>
                <th scope="row">{t("alertDeliveriesTotal")}</th>
                {DELIVERY_STATES.map((state) => (
                  <td key={state}>{format.number(totals[state])}</td>
                ))}
              </tr>
            </tfoot>
          )}
        </table>
      )}
      {summaries?.some((summary) => summary.problems.length > 0) && (
        <>
          <h4>{t("alertDeliveryProblems")}</h4>
          <ul className="delivery-problems" data-testid="delivery-problems">
            {summaries.flatMap((summary) =>
              summary.problems.map((problem) => (
                <li
                  key={`${problem.channel}|${problem.subscriber}`}
                  data-testid="delivery-problem"
                  data-channel={problem.channel}
                  data-state={problem.state}
                >
                  <strong>{problem.channel}</strong> → {problem.subscriber}: {t(`deliveryState_${problem.state}`)},{" "}
                  {t("alertDeliveryAttempts", { count: problem.attempts })}
                  {problem.lastError && (
                    <>
                      {" "}
                      · <span className="delivery-error">{problem.lastError}</span>
                    </>
                  )}
                  {problem.nextAttemptAt && (
                    <> · {t("alertDeliveryNextAttempt", { time: format.time(problem.nextAttemptAt) })}</>
                  )}
                </li>
              )),
            )}
          </ul>
        </>
      )}
    </section>
  );
}
