import type { UserView } from "@hub/contracts";
import { createContext, useContext } from "react";
import type { ApiClient } from "../api";
import type { LiveConnection } from "../live/connection";
import type { LiveStore } from "../live/store";

/** What the signed-in dashboard's panels share. */
export interface LiveContextValue {
  api: ApiClient;
  store: LiveStore;
  connection: LiveConnection;
  user: UserView;
  announce(message: string): void;
  /** Signs out here and on the server. */
  signOut(): void;
}

export const LiveContext = createContext<LiveContextValue | null>(null);

export function useLive(): LiveContextValue {
  const value = useContext(LiveContext);
  if (!value) throw new Error("useLive outside the dashboard");
  return value;
}
