"""Every word the role-play shows a trainee or facilitator, in Chinese and English.

Keys start with ``roleplay.``; they are registered with :mod:`sim.i18n` when this module
is imported (importing :mod:`sim.roleplay` does that). Labels of per-SKU and per-carrier
fields are registered when a session is built, from the catalogue's own names.
"""

from __future__ import annotations

from sim import i18n

TEXT: dict[str, tuple[str, str]] = {
    # --- roles --------------------------------------------------------------------------
    "roleplay.role.manager": ("店长", "Store manager"),
    "roleplay.role.operations": ("运营", "Operations"),
    "roleplay.role.design": ("设计", "Visual merchandising"),
    "roleplay.role.service": ("客服主管", "Customer-service lead"),
    "roleplay.role.logistics": ("物流", "Logistics"),
    "roleplay.all_teams": ("全部队伍", "all teams"),
    # --- units (FieldSpec.unit and dashboard headers) ----------------------------------
    "roleplay.unit.cny": ("元", "yuan"),
    "roleplay.unit.cny_per_day": ("元/天", "yuan/day"),
    "roleplay.unit.x": ("倍", "×"),
    "roleplay.unit.share": ("比例 0–1", "share 0–1"),
    "roleplay.unit.h": ("小时", "hours"),
    "roleplay.unit.min": ("分钟", "minutes"),
    "roleplay.unit.people": ("人", "people"),
    "roleplay.unit.units": ("件", "units"),
    "roleplay.unit.hour_of_day": ("点(0–23)", "hour of day (0–23)"),
    "roleplay.unit.days": ("天", "days"),
    "roleplay.unit.day_of_round": ("本轮第几天", "day of the round"),
    "roleplay.unit.z": ("标准差倍数 z", "z (standard deviations)"),
    "roleplay.unit.": ("", ""),
    # --- field groups -------------------------------------------------------------------
    "roleplay.group.hours": ("各 SKU 的主图/详情页优化工时", "Listing work hours per SKU"),
    "roleplay.group.rush": (
        "本轮开始时的紧急补货(件)",
        "Rush order at the start of the round (units)",
    ),
    "roleplay.group.carrier": ("快递分配比例", "Share of parcels per carrier"),
    # --- manager fields -----------------------------------------------------------------
    "roleplay.field.profit_target_cny": ("整场净利润目标", "Net-profit target for the session"),
    "roleplay.help.profit_target_cny": (
        "整场活动结束时希望达到的累计净利润(元),会显示在店长看板上,用来跟踪进度。",
        "Cumulative net profit (yuan) you aim for by the end of the session; the manager's "
        "dashboard tracks progress against it.",
    ),
    "roleplay.field.gmv_target_cny": ("整场销售额目标", "Revenue (GMV) target for the session"),
    "roleplay.help.gmv_target_cny": (
        "整场活动的累计销售额目标(元)。",
        "Cumulative revenue target for the session (yuan).",
    ),
    "roleplay.field.budget_ads_cny": ("推广预算", "Ads budget"),
    "roleplay.help.budget_ads_cny": (
        "每天给运营的推广费上限。运营设置的日预算不能超过它。",
        "Daily cap on ad spend given to operations; their daily ad budget may not exceed it.",
    ),
    "roleplay.field.budget_design_cny": ("设计预算", "Design budget"),
    "roleplay.help.budget_design_cny": (
        "每天给设计的工时费用上限;一轮的设计工时费用不能超过 预算 × 本轮天数。",
        "Daily budget for design hours; a round's design wages may not exceed budget × days.",
    ),
    "roleplay.field.budget_service_cny": ("客服预算", "Service budget"),
    "roleplay.help.budget_service_cny": (
        "每天给客服的人力费用上限(排班人数 × 小时 × 时薪)。",
        "Daily budget for service agents (agents × hours × hourly wage).",
    ),
    "roleplay.field.budget_logistics_cny": ("仓储打包预算", "Logistics budget"),
    "roleplay.help.budget_logistics_cny": (
        "每天给物流的打包人力费用上限(打包员 × 小时 × 时薪)。",
        "Daily budget for packers (packers × hours × hourly wage).",
    ),
    "roleplay.field.overrides": ("店长最终决定(覆盖其他岗位)", "Manager's final say (overrides)"),
    "roleplay.help.overrides": (
        "每行一条:岗位.字段 = 取值,例如 operations.ad_bid_cny = 1.2。"
        "只对本轮有效,会覆盖该岗位提交的决定,并记入事件日志。",
        "One per line: role.field = value, e.g. operations.ad_bid_cny = 1.2. Applies to this "
        "round only, replaces what that role submitted, and is written to the event log.",
    ),
    # --- operations fields --------------------------------------------------------------
    "roleplay.field.price_traffic": ("引流款价格倍数", "Price multiplier: traffic items"),
    "roleplay.field.price_core": ("常规款价格倍数", "Price multiplier: core items"),
    "roleplay.field.price_profit": ("利润款价格倍数", "Price multiplier: profit items"),
    "roleplay.help.price_group": (
        "相对标价的倍数:1.0 = 标价,0.9 = 九折,1.1 = 涨价一成。",
        "Multiple of the list price: 1.0 = list price, 0.9 = 10 % lower, 1.1 = 10 % higher.",
    ),
    "roleplay.field.charm_prices": ("尾数定价(如 199、39.9)", "Charm prices (e.g. 199, 39.9)"),
    "roleplay.help.charm_prices": (
        "把价格向下取到以 9 结尾的心理价位。",
        "Round prices down to a psychological ending in 9.",
    ),
    "roleplay.field.ad_bid_cny": ("直通车出价(每次点击)", "Ad bid per click"),
    "roleplay.help.ad_bid_cny": (
        "每次点击愿意出的价(元),出价越高,广告位越靠前、点击越多。",
        "What you bid per click (yuan); a higher bid wins more ad clicks.",
    ),
    "roleplay.field.ad_daily_budget_cny": ("推广日预算", "Daily ad budget"),
    "roleplay.help.ad_daily_budget_cny": (
        "每天推广花费的上限,花完当天广告就停;不能超过店长给的推广预算。",
        "Cap on ad spend per day; ads stop when it is spent. At most the manager's ads budget.",
    ),
    "roleplay.field.promo_kind": ("本轮促销方式", "Promotion this round"),
    "roleplay.help.promo_kind": (
        "none 不做;percent_off 直接打折;threshold 满减;coupon 优惠券;flash_sale 限时秒杀"
        "(每天 20 点起 2 小时)。场景自带的大促活动照常进行。",
        "none; percent_off a straight discount; threshold 满减 (spend X, get Y off); coupon; "
        "flash_sale (20:00 for 2 hours each day). The scenario's own campaign runs anyway.",
    ),
    "roleplay.choice.promo_kind.none": ("不做促销", "no promotion"),
    "roleplay.choice.promo_kind.percent_off": ("直接打折", "% off"),
    "roleplay.choice.promo_kind.threshold": ("满减", "spend-and-save (满减)"),
    "roleplay.choice.promo_kind.coupon": ("优惠券", "coupon"),
    "roleplay.choice.promo_kind.flash_sale": ("限时秒杀", "flash sale"),
    "roleplay.field.promo_scope": ("促销商品范围", "Promotion applies to"),
    "roleplay.help.promo_scope": (
        "all 全店;traffic 引流款;core 常规款;profit 利润款。",
        "all items, or only traffic / core / profit items.",
    ),
    "roleplay.choice.promo_scope.all": ("全店", "all items"),
    "roleplay.choice.promo_scope.traffic": ("引流款", "traffic items"),
    "roleplay.choice.promo_scope.core": ("常规款", "core items"),
    "roleplay.choice.promo_scope.profit": ("利润款", "profit items"),
    "roleplay.field.promo_discount": ("促销力度", "Promotion depth"),
    "roleplay.help.promo_discount": (
        "打折/秒杀:减掉的比例;满减和优惠券:优惠金额占门槛的比例(0.1 = 满 200 减 20)。",
        "% off and flash sale: share off the price; 满减 and coupon: the amount off as a "
        "share of the threshold (0.1 = 20 off 200).",
    ),
    "roleplay.field.promo_threshold_cny": ("满减/优惠券门槛", "Threshold for 满减 / coupon"),
    "roleplay.help.promo_threshold_cny": (
        "订单金额达到多少元才能用满减或优惠券。",
        "Order value (yuan) needed for the 满减 or the coupon.",
    ),
    "roleplay.field.promo_days": ("促销日(本轮第几天)", "Promotion days (day of the round)"),
    "roleplay.help.promo_days": (
        "选本轮中的哪几天做促销;不选 = 整轮都做。",
        "Which days of the round run the promotion; none selected = every day of the round.",
    ),
    "roleplay.field.promo_cap_units": ("秒杀每日限量", "Flash-sale cap per day"),
    "roleplay.help.promo_cap_units": (
        "秒杀价每天最多卖多少件。",
        "Units sold at the flash price per day at most.",
    ),
    "roleplay.field.livestream_hours": ("每晚店播时长", "Own livestream hours each evening"),
    "roleplay.help.livestream_hours": (
        "每天晚上自己直播几个小时(0 = 不播)。",
        "Hours of the store's own livestream each evening (0 = none).",
    ),
    # --- design fields ------------------------------------------------------------------
    "roleplay.help.hours": (
        "本轮给这个商品优化主图和详情页的工时。质量提升有边际递减,工时按设计时薪计费,"
        "计入设计预算。",
        "Hours of main-image and detail-page work on this item this round. Quality rises with "
        "diminishing returns; hours are paid at the designers' wage and count against the "
        "design budget.",
    ),
    # --- service fields -----------------------------------------------------------------
    "roleplay.field.agents_night": ("夜班客服(0–8 点)", "Agents, night (0–8)"),
    "roleplay.field.agents_morning": ("早班客服(8–13 点)", "Agents, morning (8–13)"),
    "roleplay.field.agents_afternoon": ("午班客服(13–18 点)", "Agents, afternoon (13–18)"),
    "roleplay.field.agents_evening": ("晚班客服(18–24 点)", "Agents, evening (18–24)"),
    "roleplay.help.agents": (
        "这个班次每小时在线的客服人数,按客服时薪计费,计入客服预算。",
        "Agents on duty in each hour of the shift; paid at the agents' wage, counted "
        "against the service budget.",
    ),
    "roleplay.field.response_target_min": ("首次响应目标", "First-response target"),
    "roleplay.help.response_target_min": (
        "团队承诺的首次响应时间;看板会显示在目标内回复的咨询占比。",
        "The first-response time the team commits to; the dashboard shows the share of "
        "inquiries answered within it.",
    ),
    # --- logistics fields ---------------------------------------------------------------
    "roleplay.field.reorder_policy": ("补货策略", "Reorder policy"),
    "roleplay.help.reorder_policy": (
        "sS:库存(含在途)降到再订货点就补到订货上限;service_level:按需求波动和交期算安全库存;"
        "none:不补货。",
        "sS: when stock plus on-order falls to the reorder point, order up to the target; "
        "service_level: safety stock from demand variability and lead time; none: no reorders.",
    ),
    "roleplay.choice.reorder_policy.sS": ("(s, S) 按天数", "(s, S) in days of demand"),
    "roleplay.choice.reorder_policy.service_level": ("服务水平法", "service level"),
    "roleplay.choice.reorder_policy.none": ("不补货", "no reorders"),
    "roleplay.field.reorder_point_days": ("再订货点(天的需求)", "Reorder point (days of demand)"),
    "roleplay.help.reorder_point_days": (
        "(s, S) 策略的再订货点,用预测日需求的天数表示。",
        "Reorder point of the (s, S) policy, in days of forecast demand.",
    ),
    "roleplay.field.order_up_to_days": ("订货上限(天的需求)", "Order-up-to level (days)"),
    "roleplay.help.order_up_to_days": (
        "(s, S) 策略补到多少天的需求;服务水平法中是再订货点之上再备几天的量。",
        "Days of demand the (s, S) policy orders up to; for the service-level policy, the days "
        "of demand ordered on top of the reorder point.",
    ),
    "roleplay.field.safety_z": ("安全系数 z", "Safety factor z"),
    "roleplay.help.safety_z": (
        "服务水平法的安全库存系数:1.65 约对应 95% 的周期服务水平。",
        "Safety-stock factor of the service-level policy: 1.65 is about 95 % cycle service.",
    ),
    "roleplay.help.rush": (
        "本轮开始时向供应商下的一次性订单(件),到货时间随机;不会自动延续到下一轮。",
        "A one-off purchase order placed at the start of the round (units); the lead time is "
        "random. It is not repeated in later rounds.",
    ),
    "roleplay.field.packers_night": ("夜班打包员(0–8 点)", "Packers, night (0–8)"),
    "roleplay.field.packers_day": ("白班打包员(8–16 点)", "Packers, day (8–16)"),
    "roleplay.field.packers_evening": ("晚班打包员(16–24 点)", "Packers, evening (16–24)"),
    "roleplay.help.packers": (
        "这个班次每小时在岗的打包员人数,按打包时薪计费,计入物流预算。",
        "Packers on duty in each hour of the shift; paid at the packers' wage, counted "
        "against the logistics budget.",
    ),
    "roleplay.field.cut_off_hour": ("快递揽收截单时间", "Carrier cut-off hour"),
    "roleplay.help.cut_off_hour": (
        "快递每天几点来揽收;此前打包好的订单当天发出。",
        "Hour the carriers collect each day; orders packed by then ship that day.",
    ),
    "roleplay.help.carrier": (
        "交给这家快递的包裹比例(各家比例会按总和归一)。",
        "Share of parcels given to this carrier (shares are scaled to add up to 1).",
    ),
    # --- dashboard columns ---------------------------------------------------------------
    "roleplay.col.round": ("轮次", "Round"),
    "roleplay.col.days": ("日期(第几天)", "Days"),
    "roleplay.kpi.visitors": ("访客数", "Visitors"),
    "roleplay.kpi.orders": ("支付订单数", "Paid orders"),
    "roleplay.kpi.conversion_rate": ("支付转化率 %", "Conversion rate %"),
    "roleplay.kpi.revenue": ("销售额 元", "Revenue, yuan"),
    "roleplay.kpi.ad_spend": ("推广花费 元", "Ad spend, yuan"),
    "roleplay.kpi.roas": ("投入产出比 ROAS", "ROAS"),
    "roleplay.kpi.price_index": ("价格指数(对手 = 100)", "Price index (rival = 100)"),
    "roleplay.kpi.listing_quality": ("平均商品页质量(0–100)", "Mean listing quality (0–100)"),
    "roleplay.kpi.ctr": ("点击率 %", "Click-through rate %"),
    "roleplay.kpi.design_hours": ("设计工时 小时", "Design hours"),
    "roleplay.kpi.design_cost": ("设计费用 元", "Design wages, yuan"),
    "roleplay.kpi.sku_conversion": ("转化率 % · {sku}", "Conversion % · {sku}"),
    "roleplay.kpi.inquiries": ("咨询量", "Inquiries"),
    "roleplay.kpi.first_response_min": ("平均首次响应 分钟", "Mean first response, min"),
    "roleplay.kpi.within_target": ("目标内响应 %", "Answered within target %"),
    "roleplay.kpi.inquiry_conversion": ("询单转化率 %", "Inquiry conversion %"),
    "roleplay.kpi.rating": ("店铺评分(期末)", "Store rating (end)"),
    "roleplay.kpi.service_level": ("平台时限内响应 %", "Answered within platform standard %"),
    "roleplay.kpi.agent_hours": ("客服工时 小时", "Agent hours"),
    "roleplay.kpi.service_cost": ("客服人力 元", "Agent wages, yuan"),
    "roleplay.kpi.on_hand": ("期末库存 件", "Stock on hand (end), units"),
    "roleplay.kpi.on_order": ("在途 件", "On order (end), units"),
    "roleplay.kpi.stockout_skus": ("期末断货 SKU 数", "SKUs out of stock (end)"),
    "roleplay.kpi.lost_units": ("缺货损失 件", "Units lost to stock-outs"),
    "roleplay.kpi.fill_rate": ("订单满足率 %", "Fill rate %"),
    "roleplay.kpi.shipped": ("发货单数", "Orders shipped"),
    "roleplay.kpi.on_time_rate": ("发货及时率 %", "On-time shipment %"),
    "roleplay.kpi.backlog": ("期末待发货 单", "Backlog (end), orders"),
    "roleplay.kpi.packer_hours": ("打包工时 小时", "Packer hours"),
    "roleplay.kpi.logistics_cost": ("打包人力 元", "Packer wages, yuan"),
    "roleplay.kpi.shipping_cost": ("快递费 元", "Shipping, yuan"),
    "roleplay.kpi.rush_units": ("紧急补货 件", "Rush-ordered units"),
    "roleplay.kpi.cogs": ("商品成本 元", "Cost of goods, yuan"),
    "roleplay.kpi.staff": ("人力成本 元", "Staff wages, yuan"),
    "roleplay.kpi.other_costs": ("其他费用 元", "Other costs, yuan"),
    "roleplay.kpi.net_profit": ("本轮净利润 元", "Net profit this round, yuan"),
    "roleplay.kpi.profit_to_date": ("累计净利润 元", "Net profit to date, yuan"),
    "roleplay.kpi.revenue_to_date": ("累计销售额 元", "Revenue to date, yuan"),
    "roleplay.kpi.profit_target": ("利润目标完成 %", "Profit target reached %"),
    "roleplay.kpi.gmv_target": ("销售额目标完成 %", "Revenue target reached %"),
    "roleplay.kpi.cash": ("期末现金 元", "Cash (end), yuan"),
    "roleplay.kpi.score": ("综合得分", "Score"),
    # --- scorecard -----------------------------------------------------------------------
    "roleplay.col.rank": ("名次", "Rank"),
    "roleplay.col.team": ("队伍", "Team"),
    "roleplay.col.score": ("综合得分", "Score"),
    "roleplay.col.decision_quality": ("决策质量(对比参考策略)", "Decision quality (vs reference)"),
    "roleplay.col.reference_score": ("参考策略得分", "Reference-policy score"),
    "roleplay.part.profit": ("利润", "Profit"),
    "roleplay.part.on_time": ("发货及时", "On-time shipment"),
    "roleplay.part.rating": ("评分", "Rating"),
    "roleplay.part.service": ("服务水平", "Service level"),
    "roleplay.part.stock": ("库存健康", "Stock health"),
    "roleplay.part.rules": ("合规", "No rule violations"),
    # --- event notes written by the role-play layer --------------------------------------
    "roleplay.event.budget_cut": (
        "{role}的计划超出店长本轮给的预算({cost:,.0f} > {budget:,.0f} 元/天),"
        "已按比例压缩到预算内。",
        "{role}'s plan exceeded the manager's budget ({cost:,.0f} > {budget:,.0f} yuan/day) and "
        "was scaled down to fit.",
    ),
    "roleplay.event.override": (
        "店长行使最终决定权:{items}",
        "The manager used the final say: {items}",
    ),
    "roleplay.event.carried": (
        "{roles} 本轮未提交,沿用上一轮的决定。",
        "{roles} did not submit this round and kept last round's decisions.",
    ),
    "roleplay.event.defaults": (
        "{roles} 第 1 轮未提交,按场景的默认决定经营。",
        "{roles} did not submit in round 1 and play the scenario's default decisions.",
    ),
    "roleplay.event.scripted": ("剧本事件", "scripted event"),
    "roleplay.kind.supplier_delay": ("供应商延迟", "supplier delay"),
    "roleplay.kind.review_wave": ("差评潮", "wave of bad reviews"),
    "roleplay.kind.rival_price_cut": ("对手降价", "rival price cut"),
    "roleplay.kind.rule_change": ("平台规则变化", "platform rule change"),
    "roleplay.kind.livestream_spike": ("直播流量暴涨", "livestream spike"),
    "roleplay.kind.traffic_shock": ("流量波动", "traffic shock"),
    "roleplay.kind.budget_cut": ("预算压缩", "budget cut"),
    "roleplay.kind.override": ("店长决定", "manager's override"),
    "roleplay.kind.carried": ("沿用上轮决定", "decisions carried over"),
    # --- errors ---------------------------------------------------------------------------
    "roleplay.err.unknown_field": (
        "不是{role}可以决定的字段;可用字段:{allowed}",
        "is not something {role} decides; fields: {allowed}",
    ),
    "roleplay.err.whole": ("必须是整数", "must be a whole number"),
    "roleplay.err.number": ("必须是数字", "must be a number"),
    "roleplay.err.bool": ("必须是 true 或 false", "must be true or false"),
    "roleplay.err.multi": (
        "必须是以下取值组成的列表:{choices}",
        "must be a list of values from: {choices}",
    ),
    "roleplay.err.day_beyond_round": (
        "本轮只有 {n} 天,促销日只能是 1 到 {n}",
        "this round has only {n} days; promotion days must be 1 to {n}",
    ),
    "roleplay.err.reorder_point": (
        "再订货点必须小于订货上限(此处为 {S} 天)",
        "the reorder point must be below the order-up-to level (here {S} days)",
    ),
    "roleplay.err.carriers": (
        "至少要有一家快递的比例大于 0",
        "at least one carrier must get a share above 0",
    ),
    "roleplay.err.total_budget": (
        "四项预算合计 {total:,.0f} 元/天,超过公司给本店的总预算 {cap:,.0f} 元/天",
        "the four budgets add up to {total:,.0f} yuan/day, above the store's total budget of "
        "{cap:,.0f} yuan/day",
    ),
    "roleplay.err.over_budget_ads": (
        "超出店长给的推广预算:最多 {budget:,.0f} 元/天",
        "over the manager's ads budget: at most {budget:,.0f} yuan/day",
    ),
    "roleplay.err.over_budget_hours": (
        "本轮设计工时费用 {cost:,.0f} 元超出设计预算:本轮最多 {allowed} 小时"
        "({budget:,.0f} 元/天 × {days} 天 ÷ {wage:,.0f} 元/小时)",
        "{cost:,.0f} yuan of design hours is over the design budget: at most {allowed} hours "
        "this round ({budget:,.0f} yuan/day × {days} days ÷ {wage:,.0f} yuan/h)",
    ),
    "roleplay.err.over_budget_staff": (
        "每天 {hours} 个{who}工时({cost:,.0f} 元)超出预算:每天最多 {allowed} 个工时"
        "({budget:,.0f} 元/天 ÷ {wage:,.0f} 元/小时)",
        "{hours} {who} hours a day ({cost:,.0f} yuan) is over the budget: at most {allowed} "
        "hours a day ({budget:,.0f} yuan/day ÷ {wage:,.0f} yuan/h)",
    ),
    "roleplay.who.agents": ("客服", "agent"),
    "roleplay.who.packers": ("打包", "packer"),
    "roleplay.err.override_key": (
        "覆盖项要写成 岗位.字段(如 operations.ad_bid_cny);岗位可选:{allowed}",
        "an override is written role.field (e.g. operations.ad_bid_cny); roles: {allowed}",
    ),
    "roleplay.err.override_line": (
        "每行应为 岗位.字段 = 取值",
        "each line must read role.field = value",
    ),
    "roleplay.err.team": ("没有这支队伍;队伍:{allowed}", "no such team; teams: {allowed}"),
    "roleplay.err.role": ("没有这个岗位;岗位:{allowed}", "no such role; roles: {allowed}"),
    "roleplay.err.teams": (
        "需要 1 到 {n} 支名字不同的队伍",
        "needs 1 to {n} teams with different names",
    ),
    "roleplay.err.team_name": (
        '队伍名不能为空、不能以点开头,也不能含有 / \\ : * ? " < > | 或换行,最长 {n} 个字',
        "a team name must be non-empty, not start with a dot, contain none of "
        '/ \\ : * ? " < > | or line breaks, and have at most {n} characters',
    ),
    "roleplay.err.no_roleplay": (
        "这个场景还没有角色扮演设置(data/roleplay/);可用:{allowed}",
        "this scenario has no role-play setup (data/roleplay/); available: {allowed}",
    ),
    "roleplay.err.exists": (
        "这里已经有一场角色扮演了;继续请用 open,或换一个文件夹",
        "a role-play session already exists here; open it, or choose another folder",
    ),
    "roleplay.err.no_session": (
        "这里没有角色扮演(缺少 session.toml)",
        "no role-play session here (session.toml is missing)",
    ),
    "roleplay.err.finished": (
        "全部 {rounds} 轮已经结束,不能再提交或推进",
        "all {rounds} rounds have been played; nothing more can be submitted or advanced",
    ),
    "roleplay.err.wrong_round": (
        "这个文件是第 {given} 轮的,但现在是第 {now} 轮",
        "this file is for round {given}, but the session is at round {now}",
    ),
    "roleplay.err.tampered_decision": (
        "第 {round} 轮结算后这个决策文件被改过了(与结算时的记录不一致)",
        "this decision file was changed after round {round} was played (it no longer matches "
        "the record made then)",
    ),
    "roleplay.err.missing_decision": (
        "第 {round} 轮已结算,但缺少这个决策文件",
        "round {round} was played, but this decision file is missing",
    ),
    "roleplay.err.replay_mismatch": (
        "重新演算第 {round} 轮得到的结果与保存的不一致({detail});文件可能被改动,或模拟器版本不同",
        "replaying round {round} gives results different from the saved ones ({detail}); a file "
        "was edited or the simulator changed",
    ),
    "roleplay.err.bad_results": (
        "结果文件无法读取:{detail}",
        "the results file cannot be read: {detail}",
    ),
    "roleplay.err.busy": (
        "另一个进程正在写入这场角色扮演,请稍后再试",
        "another process is writing to this session; try again in a moment",
    ),
    "roleplay.err.meta_mismatch": (
        "与命令行参数 {given} 不一致",
        "does not match the command-line argument {given}",
    ),
    "roleplay.err.need_team_role": (
        "决策文件必须写明 team 和 role(或在命令行给出 --team/--role)",
        "a decision file must name team and role (or give --team/--role)",
    ),
    "roleplay.err.yaml": (
        "读取 YAML 需要安装 PyYAML(pip install pyyaml),或改用 TOML",
        "reading YAML needs PyYAML (pip install pyyaml); or use TOML",
    ),
    "roleplay.err.file_type": (
        "决策文件必须是 .toml、.yaml 或 .yml",
        "a decision file must be .toml, .yaml or .yml",
    ),
    "roleplay.err.config": ("角色扮演设置有误:{detail}", "the role-play setup is wrong: {detail}"),
    "roleplay.err.not_table": ("必须是键值表", "must be a table of key = value"),
    # --- CLI ------------------------------------------------------------------------------
    "roleplay.cli.description": (
        "角色扮演:多支队伍、多个岗位、按轮次经营同一个市场里的店铺",
        "Role-play: teams run stores in one market, role by role, round by round",
    ),
    "roleplay.cli.help.new": ("新建一场角色扮演", "start a new session"),
    "roleplay.cli.help.submit": (
        "提交决策文件(每个岗位每轮一个 TOML/YAML 文件)",
        "submit decision files (one TOML/YAML file per role per round)",
    ),
    "roleplay.cli.help.advance": (
        "结算本轮:所有队伍推进一轮",
        "play the current round for every team",
    ),
    "roleplay.cli.help.status": ("本轮谁已提交", "who has submitted this round"),
    "roleplay.cli.help.leaderboard": ("排行榜", "the leaderboard"),
    "roleplay.cli.help.events": ("事件日志", "the event log"),
    "roleplay.cli.help.dashboard": ("某个岗位的看板", "one role's dashboard"),
    "roleplay.cli.help.report": ("生成复盘报告(HTML)", "write the debrief report (HTML)"),
    "roleplay.cli.help.template": (
        "为某个岗位写一份带注释的决策文件模板(当前取值)",
        "write a decision-file template for a role, with current values and comments",
    ),
    "roleplay.cli.help.scenarios": ("列出可用于角色扮演的场景", "list the role-play scenarios"),
    "roleplay.cli.help.notebooks": (
        "为每个队伍的每个岗位生成 JupyterLab 笔记本",
        "write a JupyterLab notebook per team and role",
    ),
    "roleplay.cli.help.path": ("角色扮演文件夹", "the session folder"),
    "roleplay.cli.help.scenario": ("场景名,如 double11", "scenario name, e.g. double11"),
    "roleplay.cli.help.teams": (
        "队伍名,用逗号分隔,如 红队,蓝队",
        "team names separated by commas, e.g. 红队,蓝队",
    ),
    "roleplay.cli.help.seed": ("随机种子(默认 0)", "random seed (default 0)"),
    "roleplay.cli.help.files": ("决策文件", "decision files"),
    "roleplay.cli.help.team": ("队伍名", "team name"),
    "roleplay.cli.help.role": (
        "岗位:manager、operations、design、service、logistics",
        "role: manager, operations, design, service, logistics",
    ),
    "roleplay.cli.help.out": ("输出文件", "output file"),
    "roleplay.cli.help.json": ("输出 JSON", "print JSON"),
    "roleplay.cli.help.lang": ("语言 zh 或 en", "language zh or en"),
    "roleplay.cli.created": (
        "已创建角色扮演:{path}(场景 {scenario},{teams} 支队伍,共 {rounds} 轮,种子 {seed})",
        "created session {path} (scenario {scenario}, {teams} teams, {rounds} rounds, seed {seed})",
    ),
    "roleplay.cli.submitted": (
        "已提交:{team} · {role} · 第 {round} 轮({file})",
        "submitted: {team} · {role} · round {round} ({file})",
    ),
    "roleplay.cli.advanced": (
        "第 {round} 轮(第 {first}–{last} 天)已结算。",
        "round {round} (days {first}–{last}) played.",
    ),
    "roleplay.cli.status": (
        "{title} · 第 {round}/{rounds} 轮 · 第 {first}–{last} 天",
        "{title} · round {round}/{rounds} · days {first}–{last}",
    ),
    "roleplay.cli.finished": (
        "{title} · 全部 {rounds} 轮已结束",
        "{title} · all {rounds} rounds played",
    ),
    "roleplay.cli.yes": ("已提交", "submitted"),
    "roleplay.cli.no": ("未提交(将沿用)", "not yet (carries over)"),
    "roleplay.cli.wrote": ("已写入 {path}", "wrote {path}"),
    "roleplay.cli.no_rounds": ("还没有结算任何一轮", "no round has been played yet"),
    "roleplay.cli.no_notebooks": (
        "笔记本生成器(sim.roleplay.notebooks)还不可用",
        "the notebook writer (sim.roleplay.notebooks) is not available",
    ),
    "roleplay.tpl.header": (
        "{team} · {role} · 第 {round} 轮(第 {first}–{last} 天)的决策文件。"
        "改好取值后提交:python -m sim roleplay submit {path} 本文件",
        "Decision file for {team} · {role} · round {round} (days {first}–{last}). "
        "Edit the values, then: python -m sim roleplay submit {path} this-file",
    ),
    "roleplay.tpl.range": ("取值范围 {lo} – {hi}", "allowed {lo} – {hi}"),
    "roleplay.tpl.choices": ("可选:{choices}", "one of: {choices}"),
    # --- report ---------------------------------------------------------------------------
    "roleplay.report.title": ("复盘报告 · {title}", "Debrief · {title}"),
    "roleplay.report.meta": (
        "队伍:{teams} · 共 {rounds} 轮(第 1–{days} 天)· 随机种子 {seed}",
        "Teams: {teams} · {rounds} rounds (days 1–{days}) · seed {seed}",
    ),
    "roleplay.report.unfinished": (
        "本场尚未结束:报告只包含已结算的 {played} 轮。",
        "The session is not finished: the report covers the {played} rounds played so far.",
    ),
    "roleplay.report.toc": ("目录", "Contents"),
    "roleplay.report.leaderboard": ("排行榜与平衡计分卡", "Leaderboard and balanced scorecard"),
    "roleplay.report.leaderboard_note": (
        "各项得分 0–100,按场景设定的权重加权为综合得分。决策质量 = 本队得分 − 在同一组随机数下"
        "把本队决定换成参考策略(其他队伍照实际)重跑的得分:正数说明比参考策略做得好,与运气无关。",
        "Each part scores 0–100; the weights set in the scenario combine them into the score. "
        "Decision quality = the team's score minus the score of a replay on the same random "
        "numbers with the team's decisions replaced by the reference policy (other teams as "
        "played): above zero means better than the reference, whatever the luck.",
    ),
    "roleplay.report.weights": ("权重", "weights"),
    "roleplay.report.formulas": ("计分公式", "How each part is scored"),
    "roleplay.report.formula.profit": (
        "利润:日均净利润 p,100 × (p + R) / (2R),截断在 0–100,R = {ref:,.0f} 元/天",
        "Profit: daily net profit p, 100 × (p + R) / (2R), clipped to 0–100, "
        "R = {ref:,.0f} yuan/day",
    ),
    "roleplay.report.formula.on_time": (
        "发货及时:及时率 r,100 × (r − {floor}) / (1 − {floor})",
        "On-time shipment: on-time rate r, 100 × (r − {floor}) / (1 − {floor})",
    ),
    "roleplay.report.formula.rating": (
        "评分:期末评分 s,100 × (s − {floor}) / (5 − {floor})",
        "Rating: rating at the end s, 100 × (s − {floor}) / (5 − {floor})",
    ),
    "roleplay.report.formula.service": (
        "服务水平:{target} 分钟内得到首次回复的咨询占比 × 100(放弃等待的算未达标)",
        "Service level: 100 × share of inquiries answered within {target} minutes (shoppers who "
        "gave up count as misses)",
    ),
    "roleplay.report.formula.stock": (
        "库存健康:100 × 订单满足率 × min(1, {cover} / 期末库存可售天数)",
        "Stock health: 100 × fill rate × min(1, {cover} / days of stock left at the end)",
    ),
    "roleplay.report.formula.rules": (
        "合规:违规率 v = (超卖取消 + 超时发货)/ 支付订单,100 × (1 − v / {tol})",
        "No rule violations: v = (oversold cancellations + late shipments) / paid orders, "
        "100 × (1 − v / {tol})",
    ),
    "roleplay.report.timeline": ("时间线:事件与决定", "Timeline of events and decisions"),
    "roleplay.report.timeline_note": (
        "每轮发生的事件(剧本与随机)和各岗位与上一轮相比改变的决定。",
        "What struck in each round (scripted and random) and what each role changed from the "
        "round before.",
    ),
    "roleplay.report.kpis": ("各项指标逐轮走势", "Each KPI through the rounds"),
    "roleplay.report.roles": ("各岗位的结果", "Each role's results"),
    "roleplay.report.whatif": ("如果当初……(假设推演)", "What if … (counterfactual replays)"),
    "roleplay.report.whatif_note": (
        "在完全相同的随机数下,只改一个决定重跑整场(其他队伍照实际),看综合得分和利润如何变化。"
        "挑选的是对每支队伍影响最大的几项。",
        "The whole session replayed on the same random numbers with one decision changed "
        "(other teams as played), showing how the score and profit would have moved. The most "
        "telling few are shown for each team.",
    ),
    "roleplay.report.questions": (
        "讨论题(供主持人使用)",
        "Discussion questions for the facilitator",
    ),
    "roleplay.report.col.whatif": ("假设", "What if"),
    "roleplay.report.col.score_delta": ("得分变化", "Score change"),
    "roleplay.report.col.profit_delta": ("利润变化 元", "Profit change, yuan"),
    "roleplay.report.col.score_as_played": ("实际得分", "Score as played"),
    "roleplay.report.col.score_whatif": ("假设下得分", "Score in the what-if"),
    "roleplay.report.col.round": ("轮次", "Round"),
    "roleplay.report.col.day": ("第几天", "Day"),
    "roleplay.report.col.kind": ("类型", "Kind"),
    "roleplay.report.col.team": ("队伍", "Team"),
    "roleplay.report.col.what": ("内容", "What"),
    "roleplay.report.whatif.reference_role": (
        "如果{role}整场都按参考策略做",
        "Had {role} played the reference policy throughout",
    ),
    "roleplay.report.no_whatif": ("没有可比较的假设。", "No what-if to compare."),
    "roleplay.report.no_events": ("本轮无事件,无决定变化。", "No events and no changed decisions."),
    "roleplay.report.changed": ("{role} 调整:{changes}", "{role} changed {changes}"),
    "roleplay.report.round_heading": (
        "第 {round} 轮 · 第 {first}–{last} 天 {name}",
        "Round {round} · days {first}–{last} {name}",
    ),
    "roleplay.report.chart.score": ("综合得分(累计)", "Score (to date)"),
    "roleplay.report.chart.x": ("轮次", "Round"),
    "roleplay.report.generated": ("生成于 {when}", "Generated {when}"),
}

i18n.register(TEXT)


def register_dynamic(entries: dict[str, tuple[str, str]]) -> None:
    """Register labels built from data (SKU and carrier names); keep any existing text."""
    i18n.register({k: v for k, v in entries.items() if k not in i18n.TEXT})
