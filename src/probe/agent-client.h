/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The host side of the agent's wire protocol (include/pvboot-agent.h):
 * one request, one reply, over a stream socket to the clone's
 * virtio-serial port.  The agent runs where the guest's disk is, so its
 * reply is read like any hostile input: the header must carry our magic,
 * a plausible status and a length that fits both the caller's buffer and
 * the protocol's bound, the whole reply must arrive before the deadline,
 * and anything else ends the conversation (the stream is out of step and
 * nothing after it can be trusted).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pvboot-agent.h"

/* Send the request and read the reply's payload into buf.  Returns the
 * agent's status (0 or -errno, *ret_len set) or, when the conversation
 * failed: -ETIMEDOUT (no whole reply in time), -EBADMSG (garbage,
 * oversized, a status that is no errno), -EPIPE (the agent is gone),
 * -ENAMETOOLONG (payload over AGENT_MAX_REQUEST, nothing sent), or another
 * -errno from the socket.  *ret_failed tells the two kinds apart. */
int agent_call(int fd, unsigned timeout_ms, AgentOp op, uint32_t arg, uint64_t offset, const char *payload,
               void *buf, size_t bufsz, size_t *ret_len, bool *ret_failed);

/*
 * The payloads of successful replies, checked for exactly the shape a
 * real agent gives (anything else is a lie: -EBADMSG, nothing returned):
 *
 *   agent_reply_names()  GLOB: NUL-terminated names, each complete and
 *                        non-empty; pointers into buf for the first max
 *                        of them in ret (the rest dropped), their count
 *                        returned.
 *   agent_reply_stat()   LSTAT: exactly one AgentStat of a known type.
 *   agent_reply_link()   READLINK: a target, not empty, with no NUL;
 *                        0 with *ret a malloc'd copy (-ENOMEM).
 */
int agent_reply_names(const char *buf, size_t len, const char **ret, size_t max);
int agent_reply_stat(const void *buf, size_t len, AgentStat *ret);
int agent_reply_link(const char *buf, size_t len, char **ret);
