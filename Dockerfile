# Image for docker-compose.yml: every service from one build, chosen by the compose command.
FROM node:20-bookworm-slim
WORKDIR /app
ENV TURBO_TELEMETRY_DISABLED=1
COPY . .
RUN npm ci && npx turbo run build
USER node
