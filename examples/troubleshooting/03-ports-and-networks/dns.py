"""A stand-in DNS server for this example: it answers every name "no such name" (NXDOMAIN).

A container on the default bridge network asks the DNS server of your network, which does
not know your containers' names and answers just so. Here the containers ask this stand-in
instead (`--dns`), so that no question leaves the machine.
"""

import socket

server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
server.bind(("0.0.0.0", 53))
print("ready", flush=True)
while True:
    question, sender = server.recvfrom(512)
    if len(question) < 12:
        continue
    # The question sent back, flagged as an answer (QR) with recursion available (RA) and code 3 (NXDOMAIN).
    flags = bytes([0x80 | (question[2] & 0x79), 0x80 | 3])
    server.sendto(question[:2] + flags + question[4:6] + bytes(6) + question[12:], sender)
