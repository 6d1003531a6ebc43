"""Small reports written for the export tests (invented text, no shared material).

``LEGACY`` is a 2016-style report with a statistics annex (指标名称 / 计量单位 / 2016年度 / 累计),
so the ``legacy`` table and the review page's annex block can be tested without the corpus.
"""

from __future__ import annotations

LEGACY = """北河县人民政府2016年政府信息公开工作年度报告

一、概述
2016年，北河县把公开工作放在突出位置。

二、主动公开政府信息情况
北河县全年主动公开政府信息320条。

三、依申请公开政府信息情况
北河县共受理申请12件，均已答复。

四、收费及减免情况
北河县未收费。

五、复议诉讼情况
北河县无复议诉讼。

六、存在的主要问题及改进措施
北河县公开内容还不够全面。

附件：统计表
指标名称	计量单位	2016年度	累计
一、主动公开情况
（一）主动公开政府信息数	条	320	2100
其中：主动公开规范性文件数	条	15	96
二、依申请公开情况
（一）收到申请数	件	12	80
（二）申请办结数	件	12	80
三、行政复议数量	件	0	2
四、行政诉讼数量	件	0	1
"""
