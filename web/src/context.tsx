import { createContext, useContext, useSyncExternalStore } from 'react';
import type { Api } from './apollo';
import type { Auth, Viewer } from './auth';
import type { AppConfig } from './config';

export interface AppServices {
  config: AppConfig;
  auth: Auth;
  api: Api;
}

export const Services = createContext<AppServices | undefined>(undefined);

export function useServices(): AppServices {
  const services = useContext(Services);
  if (!services) throw new Error('no services');
  return services;
}

export function useViewer(): Viewer | undefined {
  const { auth } = useServices();
  return useSyncExternalStore(auth.subscribe, auth.viewer);
}

export function useConnection() {
  const { api } = useServices();
  const connection = api.connection;
  const state = useSyncExternalStore(
    (l) => connection.subscribe(l),
    () => `${connection.state}:${connection.attempt}`,
  );
  return { state: state.split(':')[0], attempt: connection.attempt, nextRetryAt: connection.nextRetryAt };
}
