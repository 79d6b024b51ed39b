# The provisioners' side of the step worker (see worker.ts). local-exec's interpreter runs it as
# `/bin/sh <handler dir>/run.sh <node> <title>`: the step comes in IONOS_RT_STEP (continued in
# IONOS_RT_STEP_1, _2, ...: one JSON value, lib/handler/step.ts), the handler is index.js beside it,
# and the title is for the engine's error box alone. Ends with the step's exit code. It passes the
# step on as it is and names no setting. POSIX sh only. Once the worker is up it starts no
# process at all (it waits on one of the worker's pipes); before that, mkfifo and sleep (and mkdir
# once; rm and mv on the rare fallback). That is the point: a Node start costs ~0.1 s of CPU, and on
# 2 cores the mkfifo and sleep processes of a create of 100 cost ~0.5 s.
#
# The step is handed to the engine run's one worker (started here by the first provisioner) and its
# output and exit code are relayed. Whenever the worker cannot take it (not running, gone, or
# IONOS_REGISTRY_TOKEN_WORKER=off), the step runs here directly, as it would without a worker;
# every step is safe to run twice, so a worker that dies mid-step loses nothing.
umask 077
RT_NODE=${1:-node}
RT_HANDLER="${0%/*}/index.js"
RT_STEP=${IONOS_RT_STEP:-}
rt_i=1
while eval "[ -n \"\${IONOS_RT_STEP_$rt_i+x}\" ]"; do
  eval "RT_STEP=\$RT_STEP\$IONOS_RT_STEP_$rt_i"
  rt_i=$((rt_i + 1))
done
[ -n "$RT_STEP" ] || { echo "registry-token: no step (IONOS_RT_STEP is empty): run.sh is run by the RegistryToken construct's provisioners" >&2; exit 2; }
# The step's operation (its "op"), for the handler's command line (so ps shows what runs) and the
# request's name.
rt_op=${RT_STEP#*'"op":"'}
rt_op=${rt_op%%'"'*}
# Direct: the handler replaces this shell (so its parent is the engine) and reads the step on stdin.
# It is told this run's worker folder: a `captured` step run here starts a worker when none runs.
rt_direct() {
  [ -n "$rt_dir" ] && export RT_WORKER_DIR="$rt_dir"
  exec 3>&- 4<&- "$RT_NODE" "$RT_HANDLER" "$rt_op" <<RT_STEP_END
$RT_STEP
RT_STEP_END
}
# The worker's pipes and requests live in this user's private folder, never in the working tree (a
# tool that reads the tree file by file would block on a pipe): made here with mode 0700 (umask), and
# used only while it is a folder of this user's and not a link (the worker checks its mode too).
# Named by the effective uid, read without a process where there is /proc; else by the login name
# (or, without one, id -u).
rt_dir=
rt_uid=
{ while read -r rt_k rt_r rt_e rt_rest; do
    [ "$rt_k" = Uid: ] && { rt_uid=$rt_e; break; }
  done < /proc/self/status; } 2>/dev/null
[ -n "$rt_uid" ] || rt_uid=${LOGNAME:-${USER:-}}
[ -n "$rt_uid" ] || rt_uid=$(id -u 2>/dev/null) || rt_uid=
rt_tmp=${TMPDIR:-/tmp}
[ -n "${XDG_RUNTIME_DIR:-}" ] && [ -d "$XDG_RUNTIME_DIR" ] && [ -O "$XDG_RUNTIME_DIR" ] && rt_tmp=$XDG_RUNTIME_DIR
rt_run="${rt_tmp%/}/ionos-registry-token-$rt_uid"
if [ -n "$rt_uid" ]; then
  [ -d "$rt_run" ] || mkdir "$rt_run" 2>/dev/null
  [ -d "$rt_run" ] && [ ! -L "$rt_run" ] && [ -O "$rt_run" ] && rt_dir="$rt_run/worker-$PPID"
fi
# The engine's log at DEBUG or finer (TF_LOG, else TF_LOG_CORE; JSON is TRACE, and so is any value it
# does not know) holds the values of the state it reads, passwords included: say so, once per engine
# run (the first provisioner makes the mark, with noclobber).
case ${TF_LOG:-${TF_LOG_CORE:-}} in
  ''|[Oo][Ff][Ff]|[Ee][Rr][Rr][Oo][Rr]|[Ww][Aa][Rr][Nn]|[Ii][Nn][Ff][Oo]) ;;
  *)
    if [ -n "$rt_dir" ]; then
      set -C
      if { printf '%s\n' "$$" > "$rt_dir.tf-log"; } 2>/dev/null; then
        [ -n "${TF_LOG:-}" ] && rt_var="TF_LOG=$TF_LOG" || rt_var="TF_LOG_CORE=$TF_LOG_CORE"
        printf '%s\n' "registry-token: warning: $rt_var makes the engine log the token passwords it reads from the state; do not share this log (for logs without them: TF_LOG_PROVIDER for providers, IONOS_REGISTRY_TOKEN_DEBUG=1 for this library)" >&2
      fi
      set +C
    fi ;;
esac
[ "${IONOS_REGISTRY_TOKEN_WORKER:-on}" = off ] && rt_direct
[ -n "$rt_dir" ] || rt_direct
if [ ! -d "$rt_dir" ] && mkdir "$rt_dir" 2>/dev/null; then
  # Its own lines (start, end, anything unexpected) go to a log only when debugging.
  rt_log=/dev/null
  if [ -n "${IONOS_REGISTRY_TOKEN_DEBUG:-}" ]; then
    rt_work=.registry-token
    [ -d "$rt_work" ] || mkdir -p "$rt_work" 2>/dev/null
    rt_log="$rt_work/worker-$PPID.log"
  fi
  "$RT_NODE" "$RT_HANDLER" worker "$rt_dir" "$PPID" </dev/null >/dev/null 2>>"$rt_log" &
fi
rt_req="$rt_dir/$$.$rt_op"
{ printf '%s\n' "$RT_STEP" > "$rt_req.req"; } 2>/dev/null || rt_direct
# A named pipe to wait on; the worker writes a line into it after the answer. This shell opens both
# ends (fd 3 read-write, so that fd 4, the read end, opens at once) and drops its own writer once the
# worker holds one: a worker that dies (or leaves) closes the last writer, the read ends with no
# answer, and the step runs here.
# First choice, one of the worker's own pipes (worker-<engine pid>.slots/<n>.slot, see worker.ts),
# which it holds open from its start: taken with noclobber (the lock is made only if it is not
# there), it needs no process and no polling.
rt_fifo=
rt_lock=
if [ -d "$rt_dir.slots" ]; then
  set -C
  for rt_s in "$rt_dir.slots"/*.slot; do
    [ -p "$rt_s" ] || break
    { printf '%s\n' "$$" > "${rt_s%.slot}.lock"; } 2>/dev/null || continue
    rt_lock="${rt_s%.slot}.lock"
    if { command exec 3<>"$rt_s" 4<"$rt_s"; } 2>/dev/null; then
      exec 3>&-
      rt_fifo=slot
      rt_s=${rt_s##*/}
      { printf '%s\n' "${rt_s%.slot}" >| "$rt_req.slot"; } 2>/dev/null || { exec 4<&-; rt_fifo=; }
    fi
    break
  done
  set +C
fi
# Else a pipe of its own (the worker opens it and removes its name before it takes the request), to
# sleep on once the worker has taken the request. Without mkfifo it polls for the answer instead.
[ -n "$rt_fifo" ] || { mkfifo -m 600 "$rt_req.fifo" 2>/dev/null && exec 3<>"$rt_req.fifo" 4<"$rt_req.fifo" && rt_fifo="$rt_req.fifo"; }
# (printf, not ":": a special builtin whose redirection fails ends the shell)
{ printf '' > "$rt_req.ready"; } 2>/dev/null || rt_direct
# Wait for the answer; about every second, check that the worker lives and took the request.
rt_n=0
rt_check=80
while [ ! -e "$rt_req.done" ]; do
  if [ "$rt_fifo" = slot ]; then
    # The worker holds the other end: the read ends with its line, or when it is gone.
    read -r rt_wake <&4 || :
    exec 4<&-
    [ -e "$rt_req.done" ] && break
    rm -f "$rt_req.req" "$rt_req.ready" "$rt_req.slot" "$rt_req.claimed" "$rt_req.out" "$rt_req.err" "$rt_lock"
    rt_direct
  fi
  if [ -n "$rt_fifo" ] && [ -e "$rt_req.claimed" ]; then
    exec 3>&-
    read -r rt_wake <&4 || :
    exec 4<&-
    [ -e "$rt_req.done" ] && break
    # Woken without an answer: the worker is gone. The step is safe to run again, here.
    rm -f "$rt_req.claimed" "$rt_req.out" "$rt_req.err" "$rt_req.fifo"
    rt_direct
  fi
  if [ "$rt_n" -ge "$rt_check" ]; then
    rt_check=$((rt_check + 80))
    rt_pid=
    { read -r rt_pid < "$rt_dir/pid"; } 2>/dev/null
    if [ -z "$rt_pid" ] || ! kill -0 "$rt_pid" 2>/dev/null; then
      [ -e "$rt_req.done" ] && break
      rm -f "$rt_req.req" "$rt_req.ready" "$rt_req.claimed" "$rt_req.out" "$rt_req.err" "$rt_req.fifo"
      rt_direct
    fi
    # Not taken after ~3 s: take it back (mv is atomic against the worker's claim) and run it here.
    if [ "$rt_n" -ge 240 ] && [ -e "$rt_req.req" ] && mv "$rt_req.req" "$rt_req.cancelled" 2>/dev/null; then
      rm -f "$rt_req.cancelled" "$rt_req.ready" "$rt_req.fifo"
      rt_direct
    fi
  fi
  # The worker takes a request within a few milliseconds of .ready: look again soon, then every 10 ms
  # (rt_n counts 10 ms). Before it is up (no pid yet: Node takes ~0.1 s to start), every 30 ms.
  if [ ! -e "$rt_dir/pid" ]; then sleep 0.03; rt_n=$((rt_n + 3))
  elif [ "$rt_n" -eq 0 ]; then sleep 0.003; rt_n=1
  else sleep 0.01; rt_n=$((rt_n + 1)); fi
done
[ -s "$rt_req.out" ] && while IFS= read -r rt_line; do printf '%s\n' "$rt_line"; done < "$rt_req.out"
[ -s "$rt_req.err" ] && while IFS= read -r rt_line; do printf '%s\n' "$rt_line" >&2; done < "$rt_req.err"
rt_code=1
{ read -r rt_code < "$rt_req.done"; } 2>/dev/null
exit "${rt_code:-1}"
