#!/usr/bin/env python3
"""A stand-in engine for the /events test, on a unix socket: every request for a path containing
/events gets a chunked 200 head and then silence (an event stream with no events yet); anything else
gets a short 200 and a close. Prints "ready" once listening. usage: fake_events.py SOCKET_PATH
"""
import asyncio
import sys

HEAD = (b"HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nContent-Type: application/json\r\n"
        b"Docker-Experimental: false\r\nOstype: linux\r\nTransfer-Encoding: chunked\r\n\r\n")
PONG = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nOK"


async def serve(reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        target = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b""
        if b"/events" in target:
            writer.write(HEAD)
            await writer.drain()
            await reader.read()  # hold until the proxy closes its side
        else:
            writer.write(PONG)
            await writer.drain()
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    writer.close()


async def main():
    server = await asyncio.start_unix_server(serve, path=sys.argv[1], backlog=4096)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
