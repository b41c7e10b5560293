// What the gateway offers other workspaces (its package `exports`): starting a gateway in front
// of running subgraphs, and its configuration model.
export { startGateway, type GatewayDeps, type RunningGateway } from './server';
export { loadGatewayConfig, type GatewayConfig } from './env';
