#!/usr/bin/env python3
"""Opens N connections to 127.0.0.1:PORT, sends one GET on each and then keeps them all open.

mode "response": read the whole (Content-Length) answer, so the connection is an idle keep-alive one.
mode "head": read only the response head (an /events stream that stays open).
Prints "ready ok=N failed=M" once every connection is set up, waits until STOPFILE exists, then
prints "alive=K" (connections the proxy has not closed meanwhile) and exits.
"""
import asyncio
import os
import sys


async def one(port, path, mode, sem, conns):
    async with sem:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
            if not head.startswith(b"HTTP/1.1 200"):
                writer.close()
                return False
            if mode == "response":
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":", 1)[1])
                await asyncio.wait_for(reader.readexactly(length), 30)
            conns.append((reader, writer))
            return True
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError):
            return False


async def main():
    port, n, path, mode, stopfile = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    sem = asyncio.Semaphore(256)
    conns = []
    results = await asyncio.gather(*(one(port, path, mode, sem, conns) for _ in range(n)))
    ok = sum(results)
    print(f"ready ok={ok} failed={n - ok}", flush=True)
    while not os.path.exists(stopfile):
        await asyncio.sleep(0.05)
    await asyncio.sleep(0)
    alive = sum(1 for r, _ in conns if not r.at_eof())
    print(f"alive={alive}", flush=True)
    for _, w in conns:
        w.close()


if __name__ == "__main__":
    asyncio.run(main())
