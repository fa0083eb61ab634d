"""The web app's words in English and Chinese (``web.language``, or ``?lang=`` per browser).

Chinese follows what A-share traders read in their broker's client: 委托
(orders), 成交 (fills), 持仓 (positions), 资金 (funds), 风控拒单 (risk denials).
"""

from __future__ import annotations

LANGUAGES = ("en", "zh")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "app": "qmt-engine", "overview": "Overview", "positions": "Positions", "orders": "Orders", "fills": "Fills",
        "funds": "Funds", "denials": "Risk denials", "jobs": "Scheduled jobs", "runs": "Runs", "api": "API",
        "mode": "Mode", "run": "Run", "status": "Status", "running": "running", "stopped": "stopped",
        "connection": "Connection", "session": "Session", "engine_clock": "Engine clock", "last_write": "Last audit write",
        "trading_state": "Trading state", "scope": "Scope", "state": "State", "cause": "Cause", "since": "Since",
        "account": "Account", "strategy": "Strategy", "actions": "Actions", "halt": "Halt",
        "halt_cancel": "Halt + cancel open", "resume": "Resume", "today": "Today", "equity": "Equity",
        "pnl": "P&L", "pnl_today": "P&L today", "total_asset": "Total asset", "cash": "Cash", "frozen_cash": "Frozen",
        "market_value": "Market value", "order_errors": "Order errors", "alerts": "Alerts", "faults": "FAULTED plugins",
        "code": "Code", "name": "Name", "volume": "Volume", "sellable": "Sellable", "cost": "Cost", "last": "Last",
        "holding_days": "Holding days", "pnl_pct": "P&L %", "time": "Time", "side": "Side", "price": "Price",
        "filled": "Filled", "avg_price": "Avg price", "fees": "Fees", "amount": "Amount", "rule": "Rule",
        "reason": "Reason", "value": "Value", "limit": "Limit", "client_order_id": "Client order id",
        "story": "Story", "event": "Event", "details": "Details", "job": "Job", "target": "Target",
        "outcome": "Outcome", "duration": "Duration (ms)", "last_run": "Last run", "error": "Error",
        "count": "Runs", "ok": "ok", "errors": "errors", "skipped": "skipped", "started": "Started",
        "stopped_at": "Stopped", "stop_reason": "Why", "summary": "Summary", "statements": "Daily statements",
        "report": "Report", "day": "Day", "login": "Log in", "logout": "Log out", "token": "Token",
        "your_name": "Your name (recorded with your actions)", "role": "Role", "viewer": "viewer",
        "operator": "operator", "confirm": "Confirm", "cancel": "Cancel", "confirm_title": "Confirm",
        "confirm_halt": "Halt {what}: no new orders until resumed.",
        "confirm_halt_cancel": "Halt {what} and cancel its open orders.",
        "confirm_resume": "Resume {what}: orders are allowed again.",
        "the_account": "the whole account", "strategy_named": "strategy {name}",
        "requested": "{action} of {what} requested (command #{id}); the engine applies it within a second.",
        "pending": "Waiting for the engine", "applied": "applied by the engine (see the trading state below)", "no_data": "Nothing yet.", "no_run": "No run in the audit database yet.",
        "live": "live", "offline": "updates paused", "bad_token": "Wrong token.", "too_many": "Too many attempts; wait a minute.",
        "viewer_note": "You are a viewer: actions need the operator token.", "none": "none",
        "phase_closed": "closed", "phase_open_auction": "opening auction", "phase_pre_open": "pre-open",
        "phase_continuous": "continuous trading", "phase_lunch": "lunch break", "phase_close_auction": "closing auction",
        "phase_unknown": "unknown",
        "mode_live": "live", "mode_paper": "paper", "mode_backtest": "backtest", "session_id": "session",
        "conn_connected": "connected", "conn_disconnected": "disconnected", "conn_reconnecting": "reconnecting",
        "conn_reconnected": "reconnected", "conn_failed": "connect failed",
        "report": "Full report", "metric_total_return": "Total return", "metric_annual_return": "Annual return",
        "metric_sharpe": "Sharpe", "metric_sortino": "Sortino", "metric_max_drawdown": "Max drawdown",
        "metric_calmar": "Calmar", "metric_win_rate": "Win rate", "metric_profit_factor": "Profit factor",
        "metric_round_trips": "Round trips", "metric_fees": "Fees",
    },
    "zh": {
        "app": "qmt-engine", "overview": "总览", "positions": "持仓", "orders": "委托", "fills": "成交",
        "funds": "资金", "denials": "风控拒单", "jobs": "定时任务", "runs": "运行记录", "api": "接口",
        "mode": "模式", "run": "运行", "status": "状态", "running": "运行中", "stopped": "已停止",
        "connection": "连接", "session": "交易时段", "engine_clock": "引擎时间", "last_write": "最近审计写入",
        "trading_state": "交易状态", "scope": "范围", "state": "状态", "cause": "原因", "since": "起始",
        "account": "账户", "strategy": "策略", "actions": "操作", "halt": "暂停",
        "halt_cancel": "暂停并撤单", "resume": "恢复", "today": "今日", "equity": "权益",
        "pnl": "盈亏", "pnl_today": "今日盈亏", "total_asset": "总资产", "cash": "可用资金", "frozen_cash": "冻结资金",
        "market_value": "持仓市值", "order_errors": "废单", "alerts": "提醒", "faults": "故障插件",
        "code": "代码", "name": "名称", "volume": "数量", "sellable": "可用", "cost": "成本价", "last": "现价",
        "holding_days": "持有天数", "pnl_pct": "盈亏比例", "time": "时间", "side": "方向", "price": "价格",
        "filled": "已成交", "avg_price": "成交均价", "fees": "费用", "amount": "成交金额", "rule": "规则",
        "reason": "原因", "value": "数值", "limit": "限额", "client_order_id": "委托编号",
        "story": "委托经过", "event": "事件", "details": "详情", "job": "任务", "target": "目标",
        "outcome": "结果", "duration": "耗时 (毫秒)", "last_run": "最近一次", "error": "错误",
        "count": "次数", "ok": "成功", "errors": "失败", "skipped": "跳过", "started": "开始",
        "stopped_at": "结束", "stop_reason": "结束原因", "summary": "汇总", "statements": "日结单",
        "report": "报告", "day": "日期", "login": "登录", "logout": "退出", "token": "令牌",
        "your_name": "您的名字（随操作记录）", "role": "角色", "viewer": "查看者",
        "operator": "操作员", "confirm": "确认", "cancel": "取消", "confirm_title": "请确认",
        "confirm_halt": "暂停{what}：恢复之前不再下新单。",
        "confirm_halt_cancel": "暂停{what}并撤销其未成交委托。",
        "confirm_resume": "恢复{what}：重新允许下单。",
        "the_account": "整个账户", "strategy_named": "策略 {name}",
        "requested": "已提交{action}{what}（指令 #{id}），引擎一秒内执行。",
        "pending": "等待引擎执行", "applied": "引擎已执行（见下方交易状态）", "no_data": "暂无数据。", "no_run": "审计库中还没有运行记录。",
        "live": "实时", "offline": "更新暂停", "bad_token": "令牌错误。", "too_many": "尝试次数过多，请稍候。",
        "viewer_note": "您是查看者：操作需要操作员令牌。", "none": "无",
        "phase_closed": "休市", "phase_open_auction": "开盘集合竞价", "phase_pre_open": "开盘前",
        "phase_continuous": "连续竞价", "phase_lunch": "午间休市", "phase_close_auction": "收盘集合竞价",
        "phase_unknown": "未知",
        "mode_live": "实盘", "mode_paper": "模拟", "mode_backtest": "回测", "session_id": "会话",
        "conn_connected": "已连接", "conn_disconnected": "已断开", "conn_reconnecting": "重连中",
        "conn_reconnected": "已重连", "conn_failed": "连接失败",
        "report": "完整报告", "metric_total_return": "总收益率", "metric_annual_return": "年化收益率",
        "metric_sharpe": "夏普比率", "metric_sortino": "索提诺比率", "metric_max_drawdown": "最大回撤",
        "metric_calmar": "卡玛比率", "metric_win_rate": "胜率", "metric_profit_factor": "盈亏比",
        "metric_round_trips": "交易次数", "metric_fees": "手续费",
    },
}

SIDES = {"en": {"buy": "buy", "sell": "sell"}, "zh": {"buy": "买入", "sell": "卖出"}}
STATES = {"en": {"ACTIVE": "ACTIVE", "REDUCING": "REDUCING", "HALTED": "HALTED"},
          "zh": {"ACTIVE": "正常", "REDUCING": "只减仓", "HALTED": "暂停"}}


def labels(language: str) -> dict[str, str]:
    return LABELS[language if language in LABELS else "en"]
