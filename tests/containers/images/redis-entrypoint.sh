#!/bin/sh
# The official image's Redis is built with protected mode off; Debian's is not.
if [ "$1" = redis-server ]; then
    set -- "$@" --protected-mode no
fi
exec "$@"
