# Stands in for the registry's redis:7-alpine: Debian 12's Redis 7, serving on every
# interface without protected mode and keeping its files in /data, as that image does.
FROM bgtasks-template-test/debian:bookworm
RUN apt-get update \
    && apt-get install --yes --no-install-recommends redis-server redis-tools \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir /data \
    && chown redis:redis /data
COPY redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
WORKDIR /data
USER redis
EXPOSE 6379
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]
