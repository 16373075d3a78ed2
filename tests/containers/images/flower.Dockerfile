# Stands in for the registry's mher/flower:2.0: Flower 2.0 and the Redis client, run as
# an unprivileged user from /data, with `celery flower` as the command.
FROM python:3.13-slim
RUN pip install --no-cache-dir "celery[redis]" "flower==2.0.1" \
    && useradd --uid 1000 --create-home flower \
    && mkdir /data \
    && chown flower:flower /data
WORKDIR /data
USER flower
EXPOSE 5555
CMD ["celery", "flower"]
