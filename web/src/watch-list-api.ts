import {
  API,
  type WatchListEntryView,
  type WatchListExtensionRequest,
  type WatchListHitView,
  type WatchListProposal,
  type WatchListStatus,
} from "@hub/contracts";

/** The watch-list API (investigators and supervisors; every call audited by the gateway). */
export interface WatchListClient {
  list(query?: { status?: WatchListStatus }): Promise<WatchListEntryView[]>;
  hits(query?: { entryId?: string; limit?: number }): Promise<WatchListHitView[]>;
  propose(request: WatchListProposal): Promise<WatchListEntryView>;
  approve(id: string): Promise<WatchListEntryView>;
  reject(id: string, reason: string): Promise<WatchListEntryView>;
  requestExtension(id: string, request: WatchListExtensionRequest): Promise<WatchListEntryView>;
  approveExtension(id: string): Promise<WatchListEntryView>;
  rejectExtension(id: string, reason: string): Promise<WatchListEntryView>;
  remove(id: string, reason: string): Promise<WatchListEntryView>;
}

type Call = <T>(path: string, init?: { method?: string; body?: unknown }) => Promise<T>;

/** The client over the API module's `call` (which adds the token, refreshes it and turns problems into errors). */
export function watchListClient(call: Call): WatchListClient {
  const search = (params: Record<string, string | number | undefined>) => {
    const entries = Object.entries(params).filter(
      (entry): entry is [string, string | number] => entry[1] !== undefined,
    );
    return entries.length === 0 ? "" : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
  };
  const post = (path: string, body?: unknown) =>
    call<WatchListEntryView>(path, { method: "POST", ...(body === undefined ? {} : { body }) });
  return {
    list: (query = {}) => call<WatchListEntryView[]>(`${API.watchList}${search({ status: query.status })}`),
    hits: (query = {}) =>
      call<WatchListHitView[]>(`${API.watchListHits}${search({ entryId: query.entryId, limit: query.limit })}`),
    propose: (request) => post(API.watchList, request),
    approve: (id) => post(API.watchListApprove(id)),
    reject: (id, reason) => post(API.watchListReject(id), { reason }),
    requestExtension: (id, request) => post(API.watchListExtension(id), request),
    approveExtension: (id) => post(API.watchListExtensionApprove(id)),
    rejectExtension: (id, reason) => post(API.watchListExtensionReject(id), { reason }),
    remove: (id, reason) => post(API.watchListRemove(id), { reason }),
  };
}
