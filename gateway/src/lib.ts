// What the gateway offers other workspaces (its package `exports`): building or starting a
// gateway in front of running subgraphs, and its configuration model.
export { createGateway, startGateway, type Gateway, type GatewayDeps, type RunningGateway } from './gateway';
export { loadGatewayConfig, type GatewayConfig } from './env';
