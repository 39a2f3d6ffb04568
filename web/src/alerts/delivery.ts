import { type ChannelDeliverySummary, DELIVERY_STATES, type DeliveryState, type MessageView } from "@hub/contracts";

export const DELIVERY_POLL_MS = 2000;
/** Right after publication the deliveries may not exist yet: an empty list is awaited this long. */
export const DELIVERY_FANOUT_GRACE_MS = 60_000;
/** States that will still change by themselves ("failed" is retried; "dead" and "sent" are final). */
export const UNSETTLED_STATES: readonly DeliveryState[] = ["pending", "sending", "failed"];

export function deliveryTotals(summaries: readonly ChannelDeliverySummary[]): Record<DeliveryState, number> {
  const totals = Object.fromEntries(DELIVERY_STATES.map((state) => [state, 0])) as Record<DeliveryState, number>;
  for (const summary of summaries) for (const state of DELIVERY_STATES) totals[state] += summary.counts[state] ?? 0;
  return totals;
}

/**
 * Whether to ask for the delivery status again in {@link DELIVERY_POLL_MS}: only for a published message, while
 * anything is pending, sending or failed (to be retried), or while the first answer is awaited.
 */
export function shouldPollDeliveries(
  message: Pick<MessageView, "status" | "sent">,
  summaries: readonly ChannelDeliverySummary[] | null,
  now: number,
): boolean {
  if (message.status !== "published") return false;
  if (summaries === null) return true;
  if (summaries.length === 0) {
    const sent = message.sent ? Date.parse(message.sent) : Number.NaN;
    return Number.isNaN(sent) || now - sent < DELIVERY_FANOUT_GRACE_MS;
  }
  const totals = deliveryTotals(summaries);
  return UNSETTLED_STATES.some((state) => totals[state] > 0);
}
