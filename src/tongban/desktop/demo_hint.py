"""The demo accounts' password and the hint the demo's login page shows.

Kept apart from services.demo so that the start-up login page (desktop.start_label) can show the
hint before the services, and what they import, are loaded.
"""

from __future__ import annotations

DEMO_PASSWORD = "demo1234"
DEMO_HINT = (
    "演示工作站：受理员工号 1001、1002，主管工号 9001，密码均为 "
    f"{DEMO_PASSWORD}。演示数据仅供练习，请勿录入真实的个人信息。"
)
