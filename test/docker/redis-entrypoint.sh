#!/bin/sh
# As the official redis image's entrypoint does: started without a config file, Redis would refuse
# clients from other containers (protected mode), so turn that off; the network is the stack's own.
if [ "$1" = "redis-server" ]; then
  shift
  set -- redis-server --protected-mode no "$@"
fi
exec "$@"
