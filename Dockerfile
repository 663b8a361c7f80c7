# The service's image, built by `docker compose up --build`: a container start runs the compiled
# service and nothing else (no npm ci, no build, no network at start).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# nothing depends on an install script (npm 11 skips them too)
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# DATA_DIR: docker-compose mounts a named volume here, which takes this folder's owner when new
RUN mkdir -p /data && chown node:node /data
USER node
ENV DATA_DIR=/data
EXPOSE 3000 4010
CMD ["node", "dist/src/main.js"]
