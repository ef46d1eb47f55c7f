"""Every word the charts and lever panels show, in Chinese and English, from one source.

Keys start with ``viz.`` and are added to :mod:`sim.i18n` on import, so charts and
panels look them up with :func:`sim.i18n.t` like every other trainee-facing text.
"""

from __future__ import annotations

from sim import i18n

ENTRIES: dict[str, tuple[str, str]] = {
    # --- common axes and marks ----------------------------------------------------------
    "viz.day_axis": ("第几天(第 1 天 = {date})", "Day (day 1 = {date})"),
    "viz.days_since": ("自开始起的天数(第 1 天 = {date})", "Days since the start (day 1 = {date})"),
    "viz.weekend": ("周末", "Weekend"),
    "viz.festival": ("大促期", "Festival"),
    "viz.event": ("场景事件", "Scenario event"),
    "viz.no_data": ("暂无数据", "No data"),
    "viz.yuan": ("元", "yuan"),
    "viz.hour_of_day": ("一天中的时段(点)", "Hour of day"),
    "viz.log_scale": ("(对数刻度)", "(log scale)"),
    "viz.date_fmt": ("{y}年{m}月{d}日", "{d} {mon} {y}"),
    # --- traffic and funnel -----------------------------------------------------------------
    "viz.fig.traffic": ("流量与转化漏斗", "Traffic and the conversion funnel"),
    "viz.title.traffic": ("每日访客(按渠道)", "Daily visits by channel"),
    "viz.visits": ("访客数", "Visits"),
    "viz.channel.search": ("自然搜索", "Search"),
    "viz.channel.ads": ("付费推广", "Paid ads"),
    "viz.channel.social": ("内容/社交", "Social"),
    "viz.channel.livestream": ("直播", "Livestream"),
    "viz.channel.returning": ("老客回访", "Returning"),
    "viz.title.funnel": ("转化漏斗(全期合计)", "Conversion funnel (whole run)"),
    "viz.funnel.impressions": ("曝光", "Impressions"),
    "viz.funnel.visits": ("访客(点击)", "Visits (clicks)"),
    "viz.funnel.carts": ("加购", "Add to cart"),
    "viz.funnel.orders": ("下单", "Orders placed"),
    "viz.funnel.paid": ("支付", "Paid orders"),
    "viz.funnel.of_prev": ("上一步的 {pct}", "{pct} of previous"),
    # --- price and sales ----------------------------------------------------------------
    "viz.fig.price": (
        "售价、竞品价与销量(销售额前 {n} 的商品)",
        "Own price, rival price and units sold (top {n} SKUs by revenue)",
    ),
    "viz.title.price": ("价格与销量:{name}", "Price and sales: {name}"),
    "viz.own_price": ("本店售价", "Own price"),
    "viz.rival_price": ("竞品价格", "Rival price"),
    "viz.units_sold": ("销量(件,已支付)", "Units sold (paid)"),
    "viz.price_yuan": ("价格(元)", "Price (yuan)"),
    "viz.units_axis": ("件", "Units"),
    # --- stock ----------------------------------------------------------------------------
    "viz.fig.stock": ("各商品库存与补货", "Stock on hand and reorders by SKU"),
    "viz.on_hand": ("在库件数", "Units on hand"),
    "viz.po_placed": ("下采购单", "Purchase order placed"),
    "viz.po_received": ("到货入库", "Goods received"),
    "viz.stockout": ("缺货", "Out of stock"),
    "viz.lost_units": ("缺货损失 {n} 件", "{n} units lost"),
    "viz.title.cover": ("库存可售天数(按近期日均需求)", "Days of stock cover (at average demand)"),
    "viz.cover_days": ("可售天数", "Days of cover"),
    # --- customer service -----------------------------------------------------------------
    "viz.fig.service": (
        "客服:响应时间、咨询量与放弃率",
        "Customer service: response time, load and abandonment",
    ),
    "viz.title.wait_dist": ("首次响应时间分布", "First-response time"),
    "viz.answered": ("已回复", "Answered"),
    "viz.gave_up": ("未等到回复就离开", "Gave up waiting"),
    "viz.questions": ("咨询数", "Questions"),
    "viz.bin.lt": ("<{b} 分钟", "<{b} min"),
    "viz.bin.range": ("{a}–{b} 分钟", "{a}–{b} min"),
    "viz.bin.gt": (">{a} 分钟", ">{a} min"),
    "viz.title.load": ("各时段咨询量与在岗客服", "Questions and agents by hour"),
    "viz.questions_per_hour": ("每小时咨询数(日均)", "Questions per hour (daily average)"),
    "viz.agents_on_duty": ("在岗客服(人)", "Agents on duty"),
    "viz.people_or_questions": ("人数 / 咨询数", "People / questions"),
    "viz.title.wait_hour": ("各时段平均等待与放弃率", "Mean wait and abandonment by hour"),
    "viz.mean_wait": ("平均等待(分钟)", "Mean wait (min)"),
    "viz.abandon_rate": ("放弃率", "Abandonment rate"),
    # --- profit and loss ------------------------------------------------------------------
    "viz.fig.pnl": ("损益与现金", "Profit and loss, and cash"),
    "viz.title.waterfall": ("全期损益:从收入到净利润", "Whole run: from revenue to net profit"),
    "viz.title.daily_profit": ("每日净利润与现金余额", "Daily net profit and cash balance"),
    "viz.pnl.revenue": ("销售收入", "Revenue"),
    "viz.pnl.refunds": ("退款", "Refunds"),
    "viz.pnl.cogs": ("货品成本", "Cost of goods"),
    "viz.pnl.platform": ("平台佣金与手续费", "Platform fees"),
    "viz.pnl.ads": ("推广费", "Ads"),
    "viz.pnl.shipping": ("快递费", "Shipping"),
    "viz.pnl.staff": ("人工", "Staff"),
    "viz.pnl.penalties": ("罚款与赔付", "Penalties"),
    "viz.pnl.other": ("仓储、赠品、固定费用", "Holding, gifts, overheads"),
    "viz.pnl.net_profit": ("净利润", "Net profit"),
    "viz.daily_net_profit": ("每日净利润", "Daily net profit"),
    "viz.cash": ("现金余额", "Cash balance"),
    # --- dashboard and KPIs ---------------------------------------------------------------
    "viz.fig.dashboard": (
        "{store} · {title} · 第 {days} 天结束 · 随机种子 {seed}",
        "{store} · {title} · after {days} days · seed {seed}",
    ),
    # used when sim.kpi is not importable; the course's KPI names live there as kpi.<key>
    "viz.kpi.visitors": ("访客数", "Visitors"),
    "viz.kpi.orders": ("支付订单数", "Paid orders"),
    "viz.kpi.conversion_rate": ("支付转化率", "Conversion rate"),
    "viz.kpi.average_order_value": ("客单价", "Average order value"),
    "viz.kpi.revenue": ("销售额", "Revenue"),
    "viz.kpi.net_profit": ("净利润", "Net profit"),
    "viz.kpi.net_margin": ("净利率", "Net margin"),
    "viz.kpi.on_time_shipment_rate": ("发货及时率", "On-time shipment rate"),
    "viz.kpi.rating": ("店铺评分", "Store rating"),
    "viz.kpi.cash_end": ("期末现金", "Cash at the end"),
    # computed by the chart layer
    "viz.kpi.answered": ("咨询回复率", "Questions answered"),
    "viz.kpi.lost_units": ("缺货损失(件)", "Units lost to stock-outs"),
    "viz.pp": ("{v:+.1f} 个百分点", "{v:+.1f} pp"),
    # --- lever panel ----------------------------------------------------------------------
    "viz.panel.title": ("调一调:{title}", "Try the levers: {title}"),
    "viz.panel.latency": ("重算 {s:.2f} 秒", "re-run {s:.2f} s"),
    "viz.panel.error": ("这个设置不被允许:", "This setting is not allowed: "),
    "viz.panel.failed": ("模拟出错({kind}):", "The simulation failed ({kind}): "),
    "viz.panel.kpi": ("指标", "KPI"),
    "viz.panel.baseline": ("基准(默认设置)", "Baseline (defaults)"),
    "viz.panel.now": ("当前设置", "Current levers"),
    "viz.panel.value": ("数值", "Value"),
    "viz.panel.change": ("变化", "Change"),
    "viz.panel.reset": ("恢复默认", "Reset"),
    "viz.lever.price_mult": ("售价(× 标价)", "Price (× list price)"),
    "viz.lever.ad_bid": ("推广出价(元/点击)", "Ad bid (yuan per click)"),
    "viz.lever.ad_budget": ("推广日预算(元)", "Ad budget (yuan per day)"),
    "viz.lever.agents": ("客服人数(高峰班次)", "Service agents (busiest shift)"),
    "viz.lever.packers": ("打包员人数(高峰班次)", "Packers (busiest shift)"),
    "viz.lever.reorder": ("补货点 s / 补到 S(可售天数)", "Reorder at s / up to S (days of cover)"),
    "viz.lever.promo": ("全场折扣", "Store-wide discount"),
    "viz.lever.pricing": ("定价策略", "Pricing policy"),
    "viz.pricing.keep": ("按场景设置", "As in the scenario"),
    "viz.pricing.list": ("按标价", "List price"),
    "viz.pricing.charm": ("尾数定价(如 39.9)", "Charm prices (e.g. 39.9)"),
    "viz.pricing.competitive": ("跟随竞品", "Follow the rival"),
    "viz.pricing.dynamic": ("按库存动态调价", "Dynamic (by stock cover)"),
    "viz.pricing.cost_plus": ("成本加成", "Cost plus markup"),
}


def _register() -> None:
    new = {k: v for k, v in ENTRIES.items() if i18n.TEXT.get(k) != v}
    if new:
        i18n.register(new)


_register()
