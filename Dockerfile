# 云托管 (WeChat Cloud Run): the same bot behind the container door (WX_PUSH_DOOR=container). WeChat pushes to
# the service over its internal network, unsigned JSON marked by `x-wx-source`; replies go through the
# 开放接口服务 (http://api.weixin.qq.com, no token). Turn the service's public network access OFF: the header is
# the only mark of WeChat's call, and it can be forged by anyone who reaches the container from outside.
# Build context: the repository root (container.config.json). Dedupe across instances: PUSH_DEDUPE_STORE=redis
# with REDIS_URL (set in the service's environment), or memory for one instance.
FROM node:20.19.0-bookworm-slim

ENV NODE_ENV=production \
    WX_PUSH_DOOR=container \
    HOST=0.0.0.0 \
    PORT=8080
WORKDIR /app

# Dependencies first (cached while only the bot changes); no install scripts, no dev tools.
COPY package.json package-lock.json ./
COPY packages/wx-push-kit/package.json packages/wx-push-kit/
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY packages/wx-push-kit/bin packages/wx-push-kit/bin
COPY packages/wx-push-kit/src packages/wx-push-kit/src
COPY cloudbaserc.json tsconfig.json ./
# The function's folder: the bot's source and any files it sends (assets/); built files are ignored.
COPY cloudfunctions/messagePush cloudfunctions/messagePush

# Not root; 8080 because a non-root process cannot bind below 1024.
USER node
EXPOSE 8080
CMD ["node", "packages/wx-push-kit/bin/wx-push.js", "serve"]
