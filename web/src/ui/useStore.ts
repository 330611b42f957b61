import { useSyncExternalStore } from 'react';
import { appStore } from '../store/AppStore';
import type { AppState } from '../store/types';

/** Subscribes a component to one slice of the application state. */
export function useApp<T>(select: (s: AppState) => T): T {
  return useSyncExternalStore(appStore.subscribe, () => select(appStore.getState()));
}
