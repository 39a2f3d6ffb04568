import type { DrawPointerEvents } from "../map/draw-pointer";
import type { DrawAction, DrawState } from "./draw";

/**
 * A map's drawing input as actions of the drawing reducer. `current` reads the newest state (the map is made once;
 * the state changes under it); `onHit` gets a feature clicked while not drawing (a camera, a district).
 */
export function drawPointerEvents(
  current: () => DrawState,
  dispatch: (action: DrawAction) => void,
  onHit: (id: string) => void,
): DrawPointerEvents {
  // After a press that drew, the click the browser sends with its release is not a second action.
  let swallowClick = false;
  return {
    onPointerDown: (pos) => {
      swallowClick = false;
      const state = current();
      if (state.mode !== "circle" || !state.drawing) return false;
      dispatch({ type: "pointerDown", pos });
      return true;
    },
    onPointerMove: (pos) => {
      const state = current();
      const wanted = state.mode === "circle" ? state.draft !== null : state.drawing && !state.closed;
      if (wanted) dispatch({ type: "pointerMove", pos });
    },
    onPointerUp: (pos, dragged) => {
      swallowClick = true;
      dispatch({ type: "pointerUp", pos, dragged });
    },
    onClick: (pos, near, hitId) => {
      if (swallowClick) {
        swallowClick = false;
        return;
      }
      const state = current();
      if (state.mode === "polygon" && state.drawing) {
        const first = state.corners[0];
        const last = state.corners.at(-1);
        dispatch({
          type: "click",
          pos,
          nearFirst: first ? near(first) : false,
          nearLast: last ? near(last) : false,
        });
      } else if (!state.drawing && hitId) {
        onHit(hitId);
      }
    },
    onKey: (key) => {
      const state = current();
      const active = state.mode === "polygon" ? state.corners.length > 0 && !state.closed : state.draft !== null;
      if (key === "Backspace") {
        if (state.mode !== "polygon" || state.corners.length === 0) return false;
        dispatch({ type: "removeLast" });
        return true;
      }
      if (!active) return false;
      dispatch({ type: key === "Enter" ? "finish" : "cancel" });
      return true;
    },
  };
}
