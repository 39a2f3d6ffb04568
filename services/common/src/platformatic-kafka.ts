/**
 * Loads @platformatic/kafka, the second Kafka client (opt-in: KAFKA_PRODUCER_CLIENT=platformatic), only when it is
 * used: services that keep the default never load it.
 *
 * @platformatic/kafka 2.x declares Node ≥ 22.22 but uses only one newer API, Promise.withResolvers (Node 22); the
 * hub runs on Node ≥ 20.11, so that one function is provided here, as the specification defines it, when absent.
 */
export type PlatformaticKafka = typeof import("@platformatic/kafka");

interface WithResolvers {
  withResolvers?: <T>() => { promise: Promise<T>; resolve: (value: T) => void; reject: (reason?: unknown) => void };
}

export function loadPlatformaticKafka(): Promise<PlatformaticKafka> {
  const promiseStatics = Promise as unknown as WithResolvers;
  if (typeof promiseStatics.withResolvers !== "function") {
    promiseStatics.withResolvers = <T>() => {
      let resolve!: (value: T) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((onResolve, onReject) => {
        resolve = onResolve;
        reject = onReject;
      });
      return { promise, resolve, reject };
    };
  }
  return import("@platformatic/kafka");
}
