import { createRoot } from 'react-dom/client';
import { ApolloProvider } from '@apollo/client';
import { App } from './App';
import { createApi } from './apollo';
import { createAuth0Auth, createDevAuth, type Auth } from './auth';
import { loadConfig } from './config';
import { Services } from './context';
import './styles.css';

async function start() {
  const root = createRoot(document.getElementById('root')!);
  try {
    const config = await loadConfig();
    const auth: Auth = config.auth.kind === 'auth0' ? await createAuth0Auth(config as typeof config & { auth: { kind: 'auth0' } }) : createDevAuth(config);
    const api = createApi(config, auth);
    root.render(
      <Services.Provider value={{ config, auth, api }}>
        <ApolloProvider client={api.client}>
          <App />
        </ApolloProvider>
      </Services.Provider>,
    );
  } catch (error) {
    root.render(
      <main className="page">
        <h1>Eventix</h1>
        <p role="alert">The app could not start: {error instanceof Error ? error.message : String(error)}</p>
      </main>,
    );
  }
}

void start();
