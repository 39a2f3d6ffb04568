import {
  type Counters,
  type Envelope,
  PUBLIC_ALERTS,
  type PublicServerToClientEvents,
  type SubscribeResponse,
} from "@hub/contracts";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type HubClient, login, startTestStack, type TestStack } from "../support/gateway.js";
import { eventually } from "../support/hub.js";

/**
 * Issue 12, finding 3: anonymous visitors of the public alert page must not starve the operators' live map. The
 * gateway runs with tiny limits (2 signed-in clients, 4 public, 2 public per address); anonymous clients connect
 * from their own source addresses (the socket bound to 127.0.0.x on loopback) until refused, then operators connect
 * and receive live updates.
 */
let stack: TestStack;
const opened: { close(): void }[] = [];
/** The public clients connected from 127.0.0.2. */
let fromTwo: (PublicClient | Refusal)[] = [];

beforeAll(async () => {
  stack = await startTestStack({
    GATEWAY_MAX_CLIENTS: "2",
    GATEWAY_MAX_PUBLIC_CLIENTS: "4",
    GATEWAY_MAX_PUBLIC_CLIENTS_PER_ADDRESS: "2",
  });
});

afterAll(async () => {
  for (const socket of opened) socket.close();
  await stack?.stop();
});

type PublicClient = Socket<PublicServerToClientEvents>;

interface Refusal {
  message: string;
  status: number | undefined;
}

/** An anonymous "/public" client from `from`, connected once its snapshot arrived; or how it was refused. */
function publicClient(from: string): Promise<PublicClient | Refusal> {
  const socket: PublicClient = io(`${stack.url}${PUBLIC_ALERTS.socketNamespace}`, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    // Passed through to the websocket (ws) in Node: the client socket's source address.
    ...({ localAddress: from } as object),
  });
  return new Promise((resolve) => {
    socket.once("alerts:snapshot", () => {
      opened.push(socket);
      resolve(socket);
    });
    socket.once("connect_error", (error: Error & { data?: { status?: number } }) => {
      socket.close();
      resolve({ message: error.message, status: error.data?.status });
    });
  });
}

const isRefusal = (value: PublicClient | Refusal): value is Refusal => "message" in value;

describe("public Socket.IO clients", () => {
  it("cannot take the operators' places, nor one address all the public ones", async () => {
    // One address: two connections, the third refused with a clear reason.
    fromTwo = [await publicClient("127.0.0.2"), await publicClient("127.0.0.2")];
    expect(fromTwo.some(isRefusal)).toBe(false);
    expect(await publicClient("127.0.0.2")).toEqual({
      message: "too many public connections from this address",
      status: 429,
    });
    // A second address fills the public limit (4); a third address is told the stream is full.
    expect([await publicClient("127.0.0.3"), await publicClient("127.0.0.3")].some(isRefusal)).toBe(false);
    expect(await publicClient("127.0.0.4")).toEqual({
      message: "the public alert stream is full; try again shortly",
      status: 503,
    });

    // Four anonymous clients are connected, more than GATEWAY_MAX_CLIENTS: the operators still connect …
    const operators: HubClient[] = [];
    for (const username of ["operator", "supervisor"]) {
      const socket = await connect(stack.url, (await login(stack.url, username)).token);
      opened.push(socket);
      operators.push(socket);
    }
    // … and receive the live picture (the counters every second, to every subscribed area).
    for (const socket of operators) {
      const ticks: Envelope<Counters>[] = [];
      socket.on("counters:tick", (tick) => ticks.push(tick));
      const subscribed = await new Promise<SubscribeResponse>((resolve) =>
        socket.emit("view:subscribe", { area: "city" }, resolve),
      );
      expect(subscribed.ok).toBe(true);
      expect(await eventually(async () => ticks.length >= 2, 30_000)).toBe(true);
    }
    // The operators' own limit still holds, apart from the public one.
    const third = await connect(stack.url, (await login(stack.url, "investigator")).token).then(
      (socket) => {
        opened.push(socket);
        return "connected";
      },
      (error: Error) => error.message,
    );
    expect(third).toBe("gateway is at its client limit; try another instance");
  });

  it("gives a place back when a public client leaves", async () => {
    // 127.0.0.2 holds its two places from the test before; one leaves and a new one may come.
    expect(isRefusal(await publicClient("127.0.0.2"))).toBe(true);
    const leaving = fromTwo[0];
    if (!leaving || isRefusal(leaving)) throw new Error("expected a connected public client");
    leaving.close();
    expect(
      await eventually(async () => {
        const again = await publicClient("127.0.0.2");
        return !isRefusal(again);
      }, 30_000),
    ).toBe(true);
  });
});
